package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Convolutions;
import dev.nn4j.core.kernel.Convolutions.Geometry;
import dev.nn4j.core.kernel.Storage;

/**
 * 1-D and 2-D convolution (cross-correlation, as PyTorch's) with stride, zero padding, dilation and groups:
 * im2col and one gemm per group forward; backward, gemms against the recomputed columns and col2im (see
 * {@link Convolutions}). A 1-D convolution is a 2-D one of height 1.
 */
public final class Convolution extends Node {
    private final Geometry geometry;
    private final boolean hasBias;
    /** Indices of the saved input and weight (see {@link #saved}). */
    private int xi;
    private int wi;

    private Convolution(Geometry geometry, boolean hasBias) {
        this.geometry = geometry;
        this.hasBias = hasBias;
    }

    /** PyTorch: {@code F.conv2d(x, weight, bias, stride, padding, dilation, groups)}; {@code bias} may be null. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation,
                                int groups) {
        return apply(2, x, weight, bias, new int[] {stride, stride}, new int[] {padding, padding},
                new int[] {dilation, dilation}, groups);
    }

    /**
     * PyTorch: {@code F.conv2d(x, weight, bias, (sh, sw), (ph, pw), (dh, dw), groups)}: stride, padding and
     * dilation per dimension, height first; the kernel's height and width come from the weight.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        for (int[] v : new int[][] {stride, padding, dilation}) {
            if (v == null || v.length != 2) {
                throw new IllegalArgumentException("conv2d: expected stride, padding and dilation with 2 values "
                        + "(height, width), got " + (v == null ? "null" : java.util.Arrays.toString(v)));
            }
        }
        return apply(2, x, weight, bias, stride.clone(), padding.clone(), dilation.clone(), groups);
    }

    /** PyTorch: {@code F.conv1d(x, weight, bias, stride, padding, dilation, groups)}; {@code bias} may be null. */
    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation,
                                int groups) {
        return apply(1, x, weight, bias, new int[] {stride}, new int[] {padding}, new int[] {dilation}, groups);
    }

    /** {@code v} as PyTorch prints an option: {@code 2} for one dimension, {@code (2, 1)} for two. */
    private static String str(int[] v) {
        return v.length == 1 ? String.valueOf(v[0]) : "(" + v[0] + ", " + v[1] + ")";
    }

    /** Stride, padding and dilation hold one value per spatial dimension, height first. */
    private static Tensor apply(int dims, Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                int[] dilation, int groups) {
        String op = "conv" + dims + "d";
        sameDevice(op, x, weight, bias);
        boolean bad = groups < 1;
        for (int d = 0; d < dims; d++) {
            bad |= stride[d] < 1 || padding[d] < 0 || dilation[d] < 1;
        }
        if (bad) {
            throw new IllegalArgumentException(op + ": expected stride >= 1, padding >= 0, dilation >= 1 and groups "
                    + ">= 1, got stride=" + str(stride) + ", padding=" + str(padding) + ", dilation=" + str(dilation)
                    + ", groups=" + groups);
        }
        String layout = dims == 2 ? "[N, C, H, W]" : "[N, C, L]";
        if (x.dim() != dims + 2) {
            throw new IllegalArgumentException(op + ": expected " + (dims + 2) + "-D input " + layout + ", got input of "
                    + "shape " + Shapes.str(x.shape()) + (x.dim() == dims + 1 ? " (a single sample: unsqueeze(0) "
                    + "adds the batch dimension)" : ""));
        }
        if (weight.dim() != dims + 2) {
            throw new IllegalArgumentException(op + ": expected " + (dims + 2) + "-D weight [out_channels, "
                    + "in_channels / groups, kernel...], got shape " + Shapes.str(weight.shape()));
        }
        long[] xs = x.shape();
        long[] ws = weight.shape();
        if (ws[0] % groups != 0) {
            throw new IllegalArgumentException(op + ": Given groups=" + groups + ", expected weight to be divisible by "
                    + groups + " at dimension 0, but got weight of size " + Shapes.str(ws));
        }
        if (xs[1] != ws[1] * groups) {
            throw new IllegalArgumentException(op + ": Given groups=" + groups + ", weight of size " + Shapes.str(ws)
                    + ", expected input" + Shapes.str(xs) + " to have " + ws[1] * groups + " channels, but got "
                    + xs[1] + " channels instead");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != ws[0])) {
            throw new IllegalArgumentException(op + ": expected bias of shape [" + ws[0] + "], got "
                    + Shapes.str(bias.shape()));
        }
        if (!x.dtype().isFPType() || x.dtype() != weight.dtype() || (bias != null && bias.dtype() != x.dtype())) {
            throw new IllegalArgumentException(op + ": expected input, weight and bias of one floating dtype, got "
                    + "input " + x.dtype() + ", weight " + weight.dtype() + (bias == null ? "" : ", bias " + bias.dtype()));
        }
        int h = dims == 2 ? (int) xs[2] : 1;
        int w = (int) xs[dims + 1];
        int kh = dims == 2 ? (int) ws[2] : 1;
        int kw = (int) ws[dims + 1];
        int last = dims - 1; // the width's entry
        Geometry q = new Geometry((int) xs[0], (int) xs[1], h, w, (int) ws[0], kh, kw, dims == 2 ? stride[0] : 1,
                stride[last], dims == 2 ? padding[0] : 0, padding[last], dims == 2 ? dilation[0] : 1,
                dilation[last], groups);
        int spanH = dims == 2 ? q.dh() * (kh - 1) + 1 : 1;
        int spanW = q.dw() * (kw - 1) + 1;
        if (h + 2 * q.ph() < spanH || w + 2 * q.pw() < spanW) {
            throw new IllegalArgumentException(op + ": Calculated padded input size per channel: ("
                    + (dims == 2 ? (h + 2 * q.ph()) + " x " : "") + (w + 2 * q.pw()) + "). Kernel size: ("
                    + (dims == 2 ? spanH + " x " : "") + spanW + "). Kernel size can't be greater than actual input "
                    + "size (input shape " + Shapes.str(xs) + ", weight shape " + Shapes.str(ws) + ")");
        }
        long[] outShape = dims == 2 ? new long[] {xs[0], ws[0], q.oh(), q.ow()} : new long[] {xs[0], ws[0], q.ow()};
        Storage y = Convolutions.forward(storage(x), storage(weight), bias == null ? null : storage(bias), q,
                outShape);
        Convolution fn = new Convolution(q, bias != null);
        if (recording(x, weight, bias)) {
            fn.xi = fn.save(storage(x));
            fn.wi = fn.save(storage(weight));
        }
        return bias == null ? record(fn, y, x, weight) : record(fn, y, x, weight, bias);
    }

    @Override
    protected Storage[] backward(Storage g) {
        Storage[] grads = Convolutions.backward(g, saved(xi), saved(wi), geometry, needsInputGrad(0),
                needsInputGrad(1), hasBias && needsInputGrad(2));
        return hasBias ? grads : new Storage[] {grads[0], grads[1]};
    }

    @Override
    public String name() {
        return "ConvolutionBackward";
    }
}

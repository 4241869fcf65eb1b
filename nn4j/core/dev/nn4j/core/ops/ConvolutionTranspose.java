package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Convolutions;
import dev.nn4j.core.kernel.Convolutions.Geometry;
import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.Reductions;
import dev.nn4j.core.kernel.Storage;

/**
 * 2-D transposed convolution (the adjoint of {@link Convolution}, "deconvolution"): weight
 * {@code [in, out / groups, kh, kw]}, output {@code (H - 1) stride - 2 padding + dilation (k - 1) + output_padding
 * + 1} per dimension. It is the convolution's input gradient, so it runs on the same kernels: forward as that
 * gradient, backward as the convolution itself (for the input) and as its weight gradient (for the weight).
 */
public final class ConvolutionTranspose extends Node {
    /** The convolution this one transposes: its input is this op's output, its output this op's input. */
    private final Geometry geometry;
    private final long[] inputShape;
    private final boolean hasBias;
    /** Indices of the saved input and weight (see {@link #saved}). */
    private int xi;
    private int wi;

    private ConvolutionTranspose(Geometry geometry, long[] inputShape, boolean hasBias) {
        this.geometry = geometry;
        this.inputShape = inputShape;
        this.hasBias = hasBias;
    }

    /**
     * PyTorch: {@code F.conv_transpose2d(x, weight, bias, (sh, sw), (ph, pw), (oph, opw), groups, (dh, dw))};
     * {@code bias} may be null; every option has the height first.
     */
    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
                               int[] outputPadding, int groups, int[] dilation) {
        String op = "conv_transpose2d";
        sameDevice(op, x, weight, bias);
        for (int[] v : new int[][] {stride, padding, outputPadding, dilation}) {
            if (v == null || v.length != 2) {
                throw new IllegalArgumentException(op + ": expected stride, padding, output_padding and dilation "
                        + "with 2 values (height, width), got " + (v == null ? "null" : java.util.Arrays.toString(v)));
            }
        }
        boolean bad = groups < 1;
        for (int d = 0; d < 2; d++) {
            bad |= stride[d] < 1 || padding[d] < 0 || dilation[d] < 1 || outputPadding[d] < 0;
            if (!bad && outputPadding[d] >= stride[d] && outputPadding[d] >= dilation[d]) {
                throw new IllegalArgumentException(op + ": output padding must be smaller than either stride or "
                        + "dilation, but got output_padding=" + java.util.Arrays.toString(outputPadding)
                        + ", stride=" + java.util.Arrays.toString(stride) + ", dilation="
                        + java.util.Arrays.toString(dilation));
            }
            if (!bad && outputPadding[d] >= stride[d]) {
                // PyTorch allows it when smaller than the dilation; the shared convolution geometry, which derives
                // the input size from the output by floor division, cannot represent it yet
                throw new IllegalArgumentException(op + ": output padding at least the stride (output_padding="
                        + java.util.Arrays.toString(outputPadding) + ", stride=" + java.util.Arrays.toString(stride)
                        + ") is not supported yet, even where the dilation would allow it");
            }
        }
        if (bad) {
            throw new IllegalArgumentException(op + ": expected stride >= 1, padding >= 0, output_padding >= 0, "
                    + "dilation >= 1 and groups >= 1, got stride=" + java.util.Arrays.toString(stride) + ", padding="
                    + java.util.Arrays.toString(padding) + ", output_padding=" + java.util.Arrays.toString(outputPadding)
                    + ", dilation=" + java.util.Arrays.toString(dilation) + ", groups=" + groups);
        }
        if (x.dim() != 4) {
            throw new IllegalArgumentException(op + ": expected 4-D input [N, C, H, W], got input of shape "
                    + Shapes.str(x.shape()) + (x.dim() == 3 ? " (a single sample: unsqueeze(0) adds the batch "
                    + "dimension)" : ""));
        }
        if (weight.dim() != 4) {
            throw new IllegalArgumentException(op + ": expected 4-D weight [in_channels, out_channels / groups, kh, "
                    + "kw], got shape " + Shapes.str(weight.shape()));
        }
        long[] xs = x.shape();
        long[] ws = weight.shape();
        if (ws[0] % groups != 0 || xs[1] != ws[0]) {
            throw new IllegalArgumentException(op + ": Given transposed=1, weight of size " + Shapes.str(ws)
                    + ", expected input" + Shapes.str(xs) + " to have " + ws[0] + " channels, but got " + xs[1]
                    + " channels instead" + (ws[0] % groups != 0 ? " (and " + ws[0] + " is not divisible by groups="
                    + groups + ")" : ""));
        }
        long outChannels = ws[1] * groups;
        if (bias != null && (bias.dim() != 1 || bias.size(0) != outChannels)) {
            throw new IllegalArgumentException(op + ": expected bias of shape [" + outChannels + "], got "
                    + Shapes.str(bias.shape()));
        }
        if (!x.dtype().isFPType() || x.dtype() != weight.dtype() || (bias != null && bias.dtype() != x.dtype())) {
            throw new IllegalArgumentException(op + ": expected input, weight and bias of one floating dtype, got "
                    + "input " + x.dtype() + ", weight " + weight.dtype() + (bias == null ? "" : ", bias " + bias.dtype()));
        }
        int kh = (int) ws[2];
        int kw = (int) ws[3];
        long oh = (xs[2] - 1) * stride[0] - 2L * padding[0] + (long) dilation[0] * (kh - 1) + outputPadding[0] + 1;
        long ow = (xs[3] - 1) * stride[1] - 2L * padding[1] + (long) dilation[1] * (kw - 1) + outputPadding[1] + 1;
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": the output would be " + oh + " x " + ow + " for input "
                    + Shapes.str(xs) + " and weight " + Shapes.str(ws) + "; it must be at least 1 x 1");
        }
        Geometry q = new Geometry((int) xs[0], (int) outChannels, (int) oh, (int) ow, (int) ws[0], kh, kw, stride[0],
                stride[1], padding[0], padding[1], dilation[0], dilation[1], groups);
        long[] outShape = {xs[0], outChannels, oh, ow};
        Storage y = Convolutions.transposed(storage(x), storage(weight), q, outShape);
        if (bias != null) {
            y = Elementwise.binary(Elementwise.BinaryOp.ADD, y, storage(bias).reshape(new long[] {1, outChannels, 1,
                1}), outShape, y.type());
        }
        ConvolutionTranspose fn = new ConvolutionTranspose(q, xs, bias != null);
        if (recording(x, weight, bias)) {
            fn.xi = fn.save(storage(x));
            fn.wi = fn.save(storage(weight));
        }
        return bias == null ? record(fn, y, x, weight) : record(fn, y, x, weight, bias);
    }

    @Override
    protected Storage[] backward(Storage g) {
        Storage dx = needsInputGrad(0) ? Convolutions.forward(g, saved(wi), null, geometry, inputShape) : null;
        // the weight gradient of the transposed convolution is the convolution's, with input and output swapped
        Storage dw = needsInputGrad(1)
                ? Convolutions.backward(saved(xi), g, saved(wi), geometry, false, true, false)[1] : null;
        if (!hasBias) {
            return new Storage[] {dx, dw};
        }
        Storage db = needsInputGrad(2) ? Reductions.sumToShape(g, new long[] {1, geometry.c(), 1, 1})
                .reshape(new long[] {geometry.c()}) : null;
        return new Storage[] {dx, dw, db};
    }

    @Override
    public String name() {
        return "ConvolutionBackward"; // PyTorch names both directions so
    }
}

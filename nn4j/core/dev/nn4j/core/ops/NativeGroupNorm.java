package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Norms;
import dev.nn4j.core.kernel.Storage;

/**
 * Layer and group normalization: each sample normalized over contiguous groups of elements (the trailing
 * {@code normalized_shape}, or {@code C / groups} channels with their positions), then an elementwise (layer) or
 * per-channel (group) affine. Named after PyTorch's backward nodes ({@code NativeLayerNormBackward},
 * {@code NativeGroupNormBackward}); the modules are {@code nn.LayerNorm} and {@code nn.GroupNorm}.
 */
public final class NativeGroupNorm extends Node {
    private final boolean layer;
    private final int perSample;
    private final int span;
    private final int inner;
    private final long[] paramShape;
    /** Indices of the saved input, weight, means and inverse standard deviations (see {@link #saved}). */
    private int xi;
    private int wi = -1;
    private int meanIndex;
    private int invstdIndex;

    private NativeGroupNorm(boolean layer, int perSample, int span, int inner, long[] paramShape) {
        this.layer = layer;
        this.perSample = perSample;
        this.span = span;
        this.inner = inner;
        this.paramShape = paramShape;
    }

    /** PyTorch: {@code F.layer_norm(x, normalized_shape, weight, bias, eps)}; weight and bias may be null. */
    public static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        sameDevice("layer_norm", x, weight, bias);
        long[] xs = x.shape();
        int d = normalizedShape.length;
        boolean fits = d >= 1 && d <= xs.length;
        for (int i = 0; fits && i < d; i++) {
            fits = xs[xs.length - d + i] == normalizedShape[i];
        }
        if (!fits) {
            throw new IllegalArgumentException("layer_norm: Given normalized_shape=" + Shapes.str(normalizedShape)
                    + ", expected input with shape [*, " + Shapes.str(normalizedShape).substring(1) + ", but got input "
                    + "of size" + Shapes.str(xs));
        }
        checkParams("layer_norm", normalizedShape, weight, bias);
        long size = Shapes.numel(normalizedShape);
        int rows = (int) (x.numel() / Math.max(1, size));
        return apply(true, x, rows, weight, bias, 1, 0, 1, normalizedShape.clone(), eps);
    }

    /** PyTorch: {@code F.group_norm(x, groups, weight, bias, eps)}; weight and bias may be null. */
    public static Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps) {
        sameDevice("group_norm", x, weight, bias);
        if (x.dim() < 2) {
            throw new IllegalArgumentException("group_norm: expected input of at least 2 dimensions [N, C, *], got "
                    + "shape " + Shapes.str(x.shape()));
        }
        long c = x.size(1);
        if (groups < 1 || c % groups != 0) {
            throw new IllegalArgumentException("group_norm: Expected number of channels in input to be divisible by "
                    + "num_groups, but got input of shape " + Shapes.str(x.shape()) + " and num_groups=" + groups);
        }
        checkParams("group_norm", new long[] {c}, weight, bias);
        long n = x.size(0);
        int inner = (int) (x.numel() / Math.max(1, n * c));
        return apply(false, x, (int) (n * groups), weight, bias, groups, (int) (c / groups), inner, new long[] {c},
                eps);
    }

    private static void checkParams(String op, long[] shape, Tensor weight, Tensor bias) {
        for (Tensor t : new Tensor[] {weight, bias}) {
            if (t != null && !java.util.Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException(op + ": expected weight and bias of shape " + Shapes.str(shape)
                        + ", got " + Shapes.str(t.shape()));
            }
        }
    }

    private static Tensor apply(boolean layer, Tensor x, int rows, Tensor weight, Tensor bias, int perSample,
                                int span, int inner, long[] paramShape, double eps) {
        if (!x.dtype().isFPType()) {
            throw new IllegalArgumentException((layer ? "layer_norm" : "group_norm") + ": expected a floating input, "
                    + "got " + x.dtype());
        }
        Storage[] r = Norms.groupwise(storage(x), rows, weight == null ? null : storage(weight),
                bias == null ? null : storage(bias), perSample, span, inner, eps);
        NativeGroupNorm fn = new NativeGroupNorm(layer, perSample, span, inner, paramShape);
        if (recording(x, weight, bias)) {
            fn.xi = fn.save(storage(x));
            if (weight != null) {
                fn.wi = fn.save(storage(weight));
            }
            fn.meanIndex = fn.save(r[1]);
            fn.invstdIndex = fn.save(r[2]);
        }
        return record(fn, r[0], x, weight, bias);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return Norms.groupwiseBackward(g, saved(xi), wi < 0 ? null : saved(wi), saved(meanIndex), saved(invstdIndex),
                perSample, span, inner, paramShape, needsInputGrad(0), needsInputGrad(1), needsInputGrad(2));
    }

    @Override
    public String name() {
        return layer ? "NativeLayerNormBackward" : "NativeGroupNormBackward";
    }
}

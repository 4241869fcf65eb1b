package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Storage;

/**
 * Same elements in row-major order, new shape: reshape (one dimension may be -1), flatten, unsqueeze, squeeze.
 * The result behaves as a copy (PyTorch returns a view where it can): nn4j never lets a write to an op's result
 * reach its input, so the two share the elements copy-on-write.
 */
public final class Reshape extends Node {
    private final long[] inputShape;
    private final String name;

    private Reshape(long[] inputShape, String name) {
        this.inputShape = inputShape;
        this.name = name;
    }

    /** PyTorch: {@code x.reshape(shape)}. */
    public static Tensor apply(Tensor x, long... shape) {
        return to(x, resolve(x.shape(), shape), "ViewBackward");
    }

    /** PyTorch: {@code x.flatten(start_dim, end_dim)}: dimensions {@code start..end} merged into one. */
    public static Tensor flatten(Tensor x, int startDim, int endDim) {
        int r = x.dim();
        int s = Shapes.dim("flatten", startDim, r);
        int e = Shapes.dim("flatten", endDim, r);
        if (s > e) {
            throw new IllegalArgumentException("flatten() has invalid args: start_dim " + startDim
                    + " cannot come after end_dim " + endDim + " for shape " + Shapes.str(x.shape()));
        }
        if (r == 0) {
            return to(x, new long[] {1}, "ViewBackward");
        }
        long[] in = x.shape();
        long[] out = new long[r - (e - s)];
        int k = 0;
        for (int i = 0; i < r; i++) {
            if (i <= s || i > e) {
                out[k++] = in[i];
            } else {
                out[k - 1] *= in[i];
            }
        }
        return to(x, out, "ViewBackward");
    }

    /** PyTorch: {@code x.unsqueeze(dim)}: a dimension of size 1 inserted at {@code dim} (of the result). */
    public static Tensor unsqueeze(Tensor x, int dim) {
        int r = x.dim() + 1;
        int d = Shapes.dim("unsqueeze", dim, r);
        long[] in = x.shape();
        long[] out = new long[r];
        for (int i = 0, j = 0; i < r; i++) {
            out[i] = i == d ? 1 : in[j++];
        }
        return to(x, out, "UnsqueezeBackward");
    }

    /** PyTorch: {@code x.squeeze(dim)}: dimension {@code dim} removed if its size is 1, else the same shape. */
    public static Tensor squeeze(Tensor x, int dim) {
        int d = Shapes.dim("squeeze", dim, x.dim());
        long[] in = x.shape();
        if (in.length == 0 || in[d] != 1) {
            return to(x, in, "SqueezeBackward");
        }
        long[] out = new long[in.length - 1];
        for (int i = 0, j = 0; i < in.length; i++) {
            if (i != d) {
                out[j++] = in[i];
            }
        }
        return to(x, out, "SqueezeBackward");
    }

    private static Tensor to(Tensor x, long[] shape, String name) {
        return record(new Reshape(x.shape(), name), storage(x).reshapeShared(shape), x);
    }

    static long[] resolve(long[] from, long[] shape) {
        long n = Shapes.numel(from);
        long known = 1;
        int free = -1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (free >= 0) {
                    throw new IllegalArgumentException("reshape: only one dimension can be inferred, got "
                            + Shapes.str(shape));
                }
                free = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException("reshape: invalid shape dimension " + shape[i] + " in "
                        + Shapes.str(shape));
            } else {
                known *= shape[i];
            }
        }
        long[] out = shape.clone();
        if (free >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException("reshape: shape " + Shapes.str(shape)
                        + " is invalid for input of size " + n + " (shape " + Shapes.str(from) + ")");
            }
            out[free] = n / known;
        } else if (known != n) {
            throw new IllegalArgumentException("reshape: shape " + Shapes.str(shape)
                    + " is invalid for input of size " + n + " (shape " + Shapes.str(from) + ")");
        }
        return out;
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {g.viewAs(inputShape)};
    }

    @Override
    public String name() {
        return name;
    }
}

package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Reductions;
import dev.nn4j.core.kernel.Storage;

/** Maximum over one dimension; the gradient flows to the (first) position of each maximum. */
public final class Max extends Node {
    private final long[] inputShape;
    private final int dim;
    /** Index of the saved int64 positions of the maxima (see {@link #saved}). */
    private int argmax;

    private Max(long[] inputShape, int dim) {
        this.inputShape = inputShape;
        this.dim = dim;
    }

    /** PyTorch: {@code x.max(dim).values}. */
    public static Tensor apply(Tensor x, int dim) {
        int d = Shapes.dim("max", dim, x.dim());
        if (x.dim() > 0 && x.shape()[d] == 0) {
            throw new IllegalArgumentException("max(): Expected reduction dim " + d
                    + " to have non-zero size (shape " + Shapes.str(x.shape()) + ")");
        }
        if (x.dim() == 0) {
            return record(new Max(x.shape(), -1), storage(x).copy(), x);
        }
        boolean recording = recording(x);
        Storage[] valuesAndIndices = Reductions.max(storage(x), d, recording);
        Max fn = new Max(x.shape(), d);
        if (recording) {
            fn.argmax = fn.save(valuesAndIndices[1]);
        }
        return record(fn, valuesAndIndices[0], x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        if (dim < 0) {
            return new Storage[] {g};
        }
        return new Storage[] {Reductions.maxBackward(g, saved(argmax), inputShape, dim)};
    }

    @Override
    public String name() {
        return "MaxBackward";
    }
}

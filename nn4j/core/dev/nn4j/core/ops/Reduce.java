package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.Reductions;
import dev.nn4j.core.kernel.Storage;
import org.nd4j.linalg.api.buffer.DataType;

/** Sum and mean, over everything or one dimension; backward spreads the gradient back (divided by n for mean). */
public final class Reduce extends Node {
    private final boolean mean;
    private final long[] inputShape;
    private final int dim;
    private final long count;

    private Reduce(boolean mean, long[] inputShape, int dim, long count) {
        this.mean = mean;
        this.inputShape = inputShape;
        this.dim = dim;
        this.count = count;
    }

    /** PyTorch: {@code x.sum()}. */
    public static Tensor sum(Tensor x) {
        return all(x, false);
    }

    /** PyTorch: {@code x.mean()}. */
    public static Tensor mean(Tensor x) {
        return all(x, true);
    }

    /** PyTorch: {@code x.sum(dim, keepdim)}. */
    public static Tensor sum(Tensor x, int dim, boolean keepDim) {
        return along(x, dim, keepDim, false);
    }

    /** PyTorch: {@code x.mean(dim, keepdim)}. */
    public static Tensor mean(Tensor x, int dim, boolean keepDim) {
        return along(x, dim, keepDim, true);
    }

    private static Tensor all(Tensor x, boolean mean) {
        Storage in = input(x, mean);
        long n = in.size();
        Storage out = Reductions.sumAll(in, mean); // mean of nothing is NaN, as in PyTorch
        return record(new Reduce(mean, x.shape(), -1, n), back(out, x), x);
    }

    /** The result in the input's floating type when it was computed in float32 for a half type. */
    private static Storage back(Storage out, Tensor x) {
        return x.dtype().isFPType() && out.type() != x.dtype() ? out.cast(x.dtype()) : out;
    }

    private static Tensor along(Tensor x, int dim, boolean keepDim, boolean mean) {
        String op = mean ? "mean" : "sum";
        int d = Shapes.dim(op, dim, x.dim());
        Storage in = input(x, mean);
        if (x.dim() == 0) {
            return record(new Reduce(mean, x.shape(), -1, 1), in.copy(), x);
        }
        long n = x.shape()[d];
        Storage out = Reductions.sumAlong(in, d, keepDim);
        if (mean) {
            out = Elementwise.scale(out, 1.0 / n);
        }
        return record(new Reduce(mean, x.shape(), d, n), back(out, x), x);
    }

    private static Storage input(Tensor x, boolean mean) {
        if (mean && !x.dtype().isFPType()) {
            throw new IllegalArgumentException("mean(): could not infer output dtype. Input dtype must be either "
                    + "a floating point or complex dtype. Got: " + x.dtype());
        }
        if (x.dtype() == DataType.BOOL) {
            return storage(x).cast(DataType.LONG);
        }
        // float16/bfloat16: computed in float32, the result cast back (see back())
        return x.dtype().isFPType() && !storage(x).isFloating() ? storage(x).cast(DataType.FLOAT) : storage(x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Reductions.spread(g, inputShape, dim, mean ? 1.0 / count : 1)};
    }

    @Override
    public String name() {
        return mean ? "MeanBackward" : "SumBackward";
    }
}

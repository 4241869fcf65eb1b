package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Sum and mean, over everything or one dimension; backward spreads the gradient back (divided by n for mean). */
public final class Reduce extends Function {
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
        INDArray in = input(x, mean);
        long n = in.length();
        double s = n == 0 ? 0 : in.sumNumber().doubleValue();
        INDArray out = Nd4j.scalar(in.dataType(), mean ? s / n : s);
        return record(new Reduce(mean, x.shape(), -1, n), out, x);
    }

    private static Tensor along(Tensor x, int dim, boolean keepDim, boolean mean) {
        String op = mean ? "mean" : "sum";
        int d = Shapes.dim(op, dim, x.dim());
        INDArray in = input(x, mean);
        if (x.dim() == 0) {
            return record(new Reduce(mean, x.shape(), -1, 1), in.dup(), x);
        }
        long n = x.shape()[d];
        INDArray out = mean ? in.mean(keepDim, d) : in.sum(keepDim, d);
        return record(new Reduce(mean, x.shape(), d, n), out, x);
    }

    private static INDArray input(Tensor x, boolean mean) {
        if (mean && !x.dtype().isFPType()) {
            throw new IllegalArgumentException("mean(): could not infer output dtype. Input dtype must be either "
                    + "a floating point or complex dtype. Got: " + x.dtype());
        }
        return x.dtype() == DataType.BOOL ? x.array().castTo(DataType.LONG) : x.array();
    }

    @Override
    protected INDArray[] backward(INDArray g) {
        INDArray spread;
        if (dim < 0) {
            spread = Nd4j.valueArrayOf(inputShape, g.getDouble(0), g.dataType());
        } else {
            long[] keep = inputShape.clone();
            keep[dim] = 1;
            spread = g.reshape('c', keep).broadcast(inputShape).dup();
        }
        return new INDArray[] {mean ? spread.divi(count) : spread};
    }

    @Override
    public String name() {
        return mean ? "MeanBackward" : "SumBackward";
    }
}

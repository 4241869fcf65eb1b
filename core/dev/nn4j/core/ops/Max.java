package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Storage;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Maximum over one dimension; the gradient flows to the (first) position of each maximum. */
public final class Max extends Function {
    private final long[] inputShape;
    private final int dim;
    private INDArray argmax;

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
        INDArray in = storage(x).nd();
        INDArray values = in.max(false, d);
        Max fn = new Max(x.shape(), d);
        if (recording(x)) {
            fn.argmax = Nd4j.argMax(in, d);
        }
        return record(fn, values, x);
    }

    @Override
    protected Storage[] backward(Storage gs) {
        if (dim < 0) {
            return new Storage[] {gs};
        }
        INDArray g = gs.nd();
        // move dim last, scatter row by row, move it back
        long[] keep = inputShape.clone();
        keep[dim] = 1;
        long size = inputShape[dim];
        long rows = Shapes.numel(keep);
        double[] gv = g.castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
        long[] idx = argmax.castTo(DataType.LONG).dup('c').reshape(-1).toLongVector();
        long inner = 1;
        for (int k = dim + 1; k < inputShape.length; k++) {
            inner *= inputShape[k];
        }
        double[] out = new double[(int) Shapes.numel(inputShape)];
        for (long r = 0; r < rows; r++) {
            long outer = r / inner;
            long in = r % inner;
            out[(int) ((outer * size + idx[(int) r]) * inner + in)] = gv[(int) r];
        }
        return new Storage[] {Storage.fromDoubles(out, inputShape, gs.type())};
    }

    @Override
    protected void releaseSaved() {
        argmax = null;
    }

    @Override
    public String name() {
        return "MaxBackward";
    }
}

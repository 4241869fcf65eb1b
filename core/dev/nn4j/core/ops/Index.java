package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Storage;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Indexing and slicing (a copy); backward writes the gradient into the selected region of zeros. */
public final class Index extends Function {
    private final long[] inputShape;
    private final INDArrayIndex[] indices;

    private Index(long[] inputShape, INDArrayIndex[] indices) {
        this.inputShape = inputShape;
        this.indices = indices;
    }

    /** PyTorch: {@code x[i, j]} for the leading dimensions. */
    public static Tensor apply(Tensor x, long... indices) {
        if (indices.length > x.dim()) {
            throw new IndexOutOfBoundsException("get: too many indices for tensor of dimension " + x.dim()
                    + " (shape " + Shapes.str(x.shape()) + "): " + java.util.Arrays.toString(indices));
        }
        INDArrayIndex[] idx = new INDArrayIndex[indices.length];
        for (int i = 0; i < indices.length; i++) {
            long size = x.shape()[i];
            long k = indices[i] < 0 ? indices[i] + size : indices[i];
            if (k < 0 || k >= size) {
                throw new IndexOutOfBoundsException("get: index " + indices[i] + " is out of bounds for dimension "
                        + i + " with size " + size + " (shape " + Shapes.str(x.shape()) + ")");
            }
            idx[i] = NDArrayIndex.point(k);
        }
        return apply(x, idx);
    }

    /** PyTorch: {@code x[...]} with ND4J's point/interval/all indices. */
    public static Tensor apply(Tensor x, INDArrayIndex... indices) {
        if (indices.length > x.dim()) {
            throw new IndexOutOfBoundsException("get: " + indices.length + " indices for a tensor of dimension "
                    + x.dim() + " (shape " + Shapes.str(x.shape()) + ")");
        }
        for (INDArrayIndex i : indices) {
            // a gather (SpecifiedIndex) or new axis would make the backward's region a copy: silently no gradient
            if (!(i instanceof org.nd4j.linalg.indexing.PointIndex || i instanceof org.nd4j.linalg.indexing.IntervalIndex
                    || i instanceof org.nd4j.linalg.indexing.NDArrayIndexAll)) {
                throw new IllegalArgumentException("get: only point, interval and all() indices are supported, got "
                        + i.getClass().getSimpleName() + " (shape " + Shapes.str(x.shape()) + ")");
            }
        }
        INDArrayIndex[] full = new INDArrayIndex[x.dim()];
        for (int i = 0; i < full.length; i++) {
            full[i] = i < indices.length ? indices[i] : NDArrayIndex.all();
        }
        INDArray a = storage(x).nd();
        INDArray out = x.dim() == 0 ? a.dup() : a.get(full).dup('c');
        return record(new Index(x.shape(), full), out, x);
    }

    @Override
    protected Storage[] backward(Storage gs) {
        INDArray g = gs.nd();
        INDArray z = Nd4j.zeros(g.dataType(), inputShape);
        if (inputShape.length == 0) {
            return new Storage[] {Storage.of(z.addi(g))};
        }
        INDArray region = z.get(indices);
        region.addi(g.reshape(region.shape()));
        return new Storage[] {Storage.of(z)};
    }

    @Override
    public String name() {
        return "IndexBackward";
    }
}

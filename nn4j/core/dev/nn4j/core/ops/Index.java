package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Layout;
import dev.nn4j.core.kernel.Storage;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Indexing and slicing (a copy); backward writes the gradient into the selected region of zeros. */
public final class Index extends Node {
    private final long[] inputShape;
    private final INDArrayIndex[] indices;
    /** Whether the slice is a box its backward can add into the input's gradient buffer. */
    private final boolean box;

    private Index(long[] inputShape, INDArrayIndex[] indices) {
        this.inputShape = inputShape;
        this.indices = indices;
        this.box = Layout.isBox(inputShape, indices);
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
        return record(new Index(x.shape(), full), Layout.index(storage(x), full), x);
    }

    /**
     * The slice's gradient goes straight into the input's gradient buffer when the engine offers one: an RNN
     * slices each time step from one projection of the whole sequence, and a gradient of the full shape per slice
     * (zeros but for the slice, then summed) would cost the sequence length times the whole buffer.
     */
    @Override
    protected boolean addsGradIntoInput(int i) {
        return box; // else the engine would make a buffer this backward cannot use
    }

    @Override
    protected Storage[] backward(Storage g) {
        dev.nn4j.core.kernel.GradTarget t = gradTarget(0);
        if (t != null && Layout.indexBackwardInto(t.storage(), t.accumulate(), g, inputShape, indices)) {
            t.markWritten();
            return new Storage[] {null};
        }
        return new Storage[] {Layout.indexBackward(g, inputShape, indices)};
    }

    @Override
    public String name() {
        return "IndexBackward";
    }
}

package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Storage;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Concatenation along one dimension; backward hands each input its slice of the gradient. */
public final class Cat extends Function {
    private final int dim;
    private final long[] sizes;

    private Cat(int dim, long[] sizes) {
        this.dim = dim;
        this.sizes = sizes;
    }

    /** PyTorch: {@code torch.cat(tensors, dim)}. */
    public static Tensor apply(int dim, Tensor... tensors) {
        if (tensors == null || tensors.length == 0) {
            throw new IllegalArgumentException("cat: expected a non-empty list of Tensors");
        }
        sameDevice("cat", tensors);
        Tensor first = tensors[0];
        int d = Shapes.dim("cat", dim, first.dim());
        DataType type = first.dtype();
        long[] sizes = new long[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            if (t.dim() != first.dim() || t.dim() == 0) {
                throw new IllegalArgumentException("cat: Tensors must have same number of dimensions (and at least "
                        + "one): got " + first.dim() + " and " + t.dim() + " for tensor number " + i
                        + " (shapes " + Shapes.str(first.shape()) + " and " + Shapes.str(t.shape()) + ")");
            }
            for (int k = 0; k < t.dim(); k++) {
                if (k != d && t.shape()[k] != first.shape()[k]) {
                    throw new IllegalArgumentException("cat: Sizes of tensors must match except in dimension " + d
                            + ". Expected size " + first.shape()[k] + " but got size " + t.shape()[k]
                            + " for tensor number " + i + " in the list (shapes " + Shapes.str(first.shape())
                            + " and " + Shapes.str(t.shape()) + ")");
                }
            }
            sizes[i] = t.shape()[d];
            type = Promote.types(type, t.dtype());
        }
        INDArray[] arrays = new INDArray[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            arrays[i] = storage(tensors[i]).cast(type).nd();
        }
        INDArray out = Nd4j.concat(d, arrays);
        return record(new Cat(d, sizes), out, tensors);
    }

    @Override
    protected Storage[] backward(Storage gs) {
        INDArray g = gs.nd();
        Storage[] grads = new Storage[sizes.length];
        long start = 0;
        for (int i = 0; i < sizes.length; i++) {
            if (needsInputGrad(i)) {
                INDArrayIndex[] idx = new INDArrayIndex[g.rank()];
                for (int k = 0; k < idx.length; k++) {
                    idx[k] = k == dim ? NDArrayIndex.interval(start, start + sizes[i]) : NDArrayIndex.all();
                }
                grads[i] = Storage.of(g.get(idx).dup('c'));
            }
            start += sizes[i];
        }
        return grads;
    }

    @Override
    public String name() {
        return "CatBackward";
    }
}

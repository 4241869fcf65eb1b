package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Layout;
import dev.nn4j.core.kernel.Storage;
import org.nd4j.linalg.api.buffer.DataType;

/** Concatenation along one dimension; backward hands each input its slice of the gradient. */
public final class Cat extends Node {
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
        Storage[] parts = new Storage[tensors.length];
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
            parts[i] = storage(t);
            type = Promote.types(type, t.dtype());
        }
        return record(new Cat(d, sizes), Layout.cat(d, parts, type), tensors);
    }

    @Override
    protected Storage[] backward(Storage g) {
        Storage[] grads = new Storage[sizes.length];
        long start = 0;
        for (int i = 0; i < sizes.length; i++) {
            if (needsInputGrad(i)) {
                grads[i] = Layout.slice(g, dim, start, sizes[i]);
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

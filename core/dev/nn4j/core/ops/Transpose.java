package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Kernels;
import dev.nn4j.core.Storage;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Swapping two dimensions; backward swaps them back. The result is a copy (PyTorch returns a view): nn4j never
 * aliases op results, so in-place writes to a result never reach its input.
 */
public final class Transpose extends Function {
    private final int d0;
    private final int d1;
    private final String name;

    private Transpose(int d0, int d1, String name) {
        this.d0 = d0;
        this.d1 = d1;
        this.name = name;
    }

    /** PyTorch: {@code x.t()}: tensors of at most 2 dimensions. */
    public static Tensor t(Tensor x) {
        if (x.dim() > 2) {
            throw new IllegalArgumentException("t() expects a tensor with <= 2 dimensions, but got shape "
                    + Shapes.str(x.shape()) + "; use transpose(d0, d1)");
        }
        if (x.dim() < 2) {
            return record(new Transpose(0, 0, "TBackward"), storage(x).copy(), x);
        }
        return apply(x, 0, 1, "TBackward");
    }

    /** PyTorch: {@code x.transpose(d0, d1)}. */
    public static Tensor apply(Tensor x, int d0, int d1) {
        return apply(x, d0, d1, "TransposeBackward");
    }

    private static Tensor apply(Tensor x, int d0, int d1, String name) {
        int a = Shapes.dim("transpose", d0, x.dim());
        int b = Shapes.dim("transpose", d1, x.dim());
        return record(new Transpose(a, b, name), swap(storage(x), a, b), x);
    }

    private static Storage swap(Storage s, int a, int b) {
        if (a == b || s.shape().length < 2) {
            return s.copy();
        }
        if (s.shape().length == 2 && s.isFloating()) {
            return Kernels.transpose2d(s);
        }
        INDArray x = s.nd();
        int[] perm = new int[x.rank()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        perm[a] = b;
        perm[b] = a;
        return Storage.of(x.permute(perm).dup('c'));
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {swap(g, d0, d1)};
    }

    @Override
    public String name() {
        return name;
    }
}

package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Layout;
import dev.nn4j.core.kernel.Storage;

/**
 * Swapping two dimensions; backward swaps them back. The result is a copy (PyTorch returns a view): nn4j never
 * aliases op results, so in-place writes to a result never reach its input.
 */
public final class Transpose extends Node {
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
        return record(new Transpose(a, b, name), Layout.transpose(storage(x), a, b), x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Layout.transpose(g, d0, d1)};
    }

    @Override
    public String name() {
        return name;
    }
}

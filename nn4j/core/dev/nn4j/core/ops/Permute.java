package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Layout;
import dev.nn4j.core.kernel.Storage;

/** Dimensions reordered, as a copy (PyTorch: a view); backward applies the inverse order. */
public final class Permute extends Node {
    private final int[] inverse;

    private Permute(int[] inverse) {
        this.inverse = inverse;
    }

    /** PyTorch: {@code x.permute(dims)}: dimension {@code i} of the result is {@code dims[i]} of {@code x}. */
    public static Tensor apply(Tensor x, int... dims) {
        int r = x.dim();
        if (dims.length != r) {
            throw new IllegalArgumentException("permute: number of dimensions in the tensor input does not match the "
                    + "length of the desired ordering of dimensions i.e. input.dim() = " + r + " is not equal to "
                    + "len(dims) = " + dims.length + " (shape " + Shapes.str(x.shape()) + ")");
        }
        int[] perm = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            int d = Shapes.dim("permute", dims[i], r);
            if (seen[d]) {
                throw new IllegalArgumentException("permute: repeated dim " + d + " in " + java.util.Arrays.toString(dims));
            }
            seen[d] = true;
            perm[i] = d;
        }
        return record(new Permute(Layout.inverse(perm)), Layout.permute(storage(x), perm), x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Layout.permute(g, inverse)};
    }

    @Override
    public String name() {
        return "PermuteBackward";
    }
}

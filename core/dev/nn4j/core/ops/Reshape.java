package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Storage;

/** Same elements in row-major order, new shape (one dimension may be -1). */
public final class Reshape extends Node {
    private final long[] inputShape;

    private Reshape(long[] inputShape) {
        this.inputShape = inputShape;
    }

    /** PyTorch: {@code x.reshape(shape)}. */
    public static Tensor apply(Tensor x, long... shape) {
        long[] target = resolve(x.shape(), shape);
        return record(new Reshape(x.shape()), storage(x).reshape(target), x);
    }

    static long[] resolve(long[] from, long[] shape) {
        long n = Shapes.numel(from);
        long known = 1;
        int free = -1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (free >= 0) {
                    throw new IllegalArgumentException("reshape: only one dimension can be inferred, got "
                            + Shapes.str(shape));
                }
                free = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException("reshape: invalid shape dimension " + shape[i] + " in "
                        + Shapes.str(shape));
            } else {
                known *= shape[i];
            }
        }
        long[] out = shape.clone();
        if (free >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException("reshape: shape " + Shapes.str(shape)
                        + " is invalid for input of size " + n + " (shape " + Shapes.str(from) + ")");
            }
            out[free] = n / known;
        } else if (known != n) {
            throw new IllegalArgumentException("reshape: shape " + Shapes.str(shape)
                    + " is invalid for input of size " + n + " (shape " + Shapes.str(from) + ")");
        }
        return out;
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {g.viewAs(inputShape)};
    }

    @Override
    public String name() {
        return "ViewBackward";
    }
}

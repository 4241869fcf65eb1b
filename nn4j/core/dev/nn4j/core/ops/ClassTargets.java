package dev.nn4j.core.ops;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Losses;
import org.nd4j.linalg.api.buffer.DataType;

/** The checks a classification loss makes of its scores {@code [N, C]} and int64 class targets {@code [N]}. */
final class ClassTargets {
    private ClassTargets() {
    }

    /** The class indices of {@code target}, after checking both tensors; {@code op} names the loss in messages. */
    static long[] check(String op, Tensor scores, Tensor target) {
        if (scores.dim() != 2) {
            throw new IllegalArgumentException(op + ": expected input of shape [N, C], got " + Shapes.str(scores.shape()));
        }
        if (!scores.dtype().isFPType()) {
            throw new IllegalArgumentException(op + ": input must be floating point, got " + scores.dtype());
        }
        if (target.dtype() != DataType.LONG && target.dtype() != DataType.INT) {
            throw new IllegalArgumentException(op + ": expected int64 class indices as target, got "
                    + target.dtype() + " (shape " + Shapes.str(target.shape()) + ")");
        }
        long n = scores.size(0);
        long c = scores.size(1);
        if (target.dim() != 1 || target.size(0) != n) {
            throw new IllegalArgumentException(op + ": expected target of shape [" + n + "] for input "
                    + Shapes.str(scores.shape()) + ", got " + Shapes.str(target.shape()));
        }
        long[] t = Losses.classIndices(Tensor.class.cast(target).storage());
        for (int i = 0; i < t.length; i++) {
            if (t[i] < 0 || t[i] >= c) {
                throw new IllegalArgumentException(op + ": target " + t[i] + " at position " + i
                        + " is out of bounds for " + c + " classes (valid: 0.." + (c - 1) + ")");
            }
        }
        return t;
    }
}

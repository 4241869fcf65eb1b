package dev.nn4j.core;

import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.Storage;
import java.util.Arrays;

/**
 * Tensor's in-place operations ({@code addi}, {@code fill}, {@code copyFrom}, {@code put}, ...): never recorded,
 * so refused on a tensor that takes part in autograd unless inside {@link NoGrad}; each write goes through one of
 * {@link Storage}'s counted writers, so a graph that saved the old value refuses to backward.
 */
final class InPlace {
    private InPlace() {
    }

    /** {@code t op= other}, {@code other} broadcast to {@code t}'s shape. */
    static Tensor binary(Tensor t, String op, Elementwise.BinaryOp kind, Tensor other) {
        check(t, op);
        Node.sameDevice(op, t, other);
        long[] out = Shapes.broadcast(op, t.shape(), other.shape());
        if (!Arrays.equals(out, t.shape())) {
            throw new IllegalArgumentException(op + ": output with shape " + Shapes.str(t.shape())
                    + " doesn't match the broadcast shape " + Shapes.str(out));
        }
        if (!t.dtype().isFPType() && other.dtype().isFPType()) {
            throw new IllegalArgumentException(op + ": result type " + other.dtype()
                    + " can't be cast to the desired output type " + t.dtype());
        }
        t.storage().binaryInto(kind, other.storage());
        return t;
    }

    /** Every element of {@code t} set to {@code v}. */
    static Tensor fill(Tensor t, double v) {
        check(t, "fill");
        t.storage().fill(v);
        return t;
    }

    /** {@code src} broadcast to {@code t}'s shape and converted to its dtype, copied into {@code t}. */
    static Tensor copyFrom(Tensor t, Tensor src) {
        check(t, "copyFrom");
        Node.sameDevice("copyFrom", t, src);
        long[] out = Shapes.broadcast("copyFrom", t.shape(), src.shape());
        if (!Arrays.equals(out, t.shape())) {
            throw new IllegalArgumentException("copyFrom: source shape " + Shapes.str(src.shape())
                    + " cannot be broadcast to destination shape " + Shapes.str(t.shape()));
        }
        Storage dst = t.storage();
        Storage s = src.storage();
        dst.assign(s.isFloating() && dst.isFloating() ? Elementwise.expand(s, dst.shape(), t.dtype())
                : Storage.of(Elementwise.broadcastTo(s.nd(), dst.shape(), t.dtype())));
        return t;
    }

    /** The element of {@code t} at {@code index} (one entry per dimension) set to {@code v}. */
    static Tensor put(Tensor t, long[] index, double v) {
        check(t, "put");
        long[] shape = t.storage().shape();
        if (index.length != shape.length) {
            throw new IllegalArgumentException("put: index " + Arrays.toString(index) + " has " + index.length
                    + " entries but the tensor has " + shape.length + " dimensions (shape " + Shapes.str(shape) + ")");
        }
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("put: index " + index[i] + " is out of bounds for dimension "
                        + i + " with size " + shape[i]);
            }
            flat = (int) (flat * shape[i] + index[i]);
        }
        t.storage().put(flat, v);
        return t;
    }

    private static void check(Tensor t, String op) {
        if (t.requiresGrad() && NoGrad.isGradEnabled()) {
            String what = t.isLeaf() ? "a leaf Variable that requires grad" : "a tensor that is part of a graph";
            throw new IllegalStateException(op + ": an in-place operation on " + what + " is not recorded and "
                    + "would corrupt gradients; use the out-of-place op, or run it inside NoGrad.enter() "
                    + "(e.g. on weight().data())");
        }
    }
}

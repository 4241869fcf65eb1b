package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.Elementwise.BinaryOp;
import dev.nn4j.core.kernel.Storage;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code a + b}, {@code a - b}, {@code a * b}, {@code a / b} with NumPy broadcasting and PyTorch's promotion.
 * Backward returns gradients in the broadcast shape; the engine sums them back to each input's shape.
 */
public final class Binary extends Node {
    private final BinaryOp op;
    /** Indices of the saved operands and quotient (see {@link #saved}); only what the backward reads. */
    private int a;
    private int b;
    private int out;

    private Binary(BinaryOp op) {
        this.op = op;
    }

    /** PyTorch: {@code a + b}. */
    public static Tensor add(Tensor a, Tensor b) {
        return apply(BinaryOp.ADD, a, b);
    }

    /** PyTorch: {@code a - b}. */
    public static Tensor sub(Tensor a, Tensor b) {
        return apply(BinaryOp.SUB, a, b);
    }

    /** PyTorch: {@code a * b}. */
    public static Tensor mul(Tensor a, Tensor b) {
        return apply(BinaryOp.MUL, a, b);
    }

    /** PyTorch: {@code a / b} (true division: integer operands give float32). */
    public static Tensor div(Tensor a, Tensor b) {
        return apply(BinaryOp.DIV, a, b);
    }

    private static Tensor apply(BinaryOp op, Tensor a, Tensor b) {
        String name = op.name().toLowerCase();
        sameDevice(name, a, b);
        long[] shape = Shapes.broadcast(name, a.shape(), b.shape());
        DataType type = Promote.of(a, b);
        if (op == BinaryOp.DIV) {
            type = Promote.floating(type);
        }
        Storage y = Elementwise.binary(op, storage(a), storage(b), shape, type);
        Binary fn = new Binary(op);
        if (recording(a, b)) {
            // only what the backward reads is kept
            if (op == BinaryOp.MUL) {
                fn.a = fn.save(storage(a));
                fn.b = fn.save(storage(b));
            } else if (op == BinaryOp.DIV) {
                fn.b = fn.save(storage(b));
                fn.out = fn.save(y);
            }
        }
        return record(fn, y, a, b);
    }

    @Override
    protected Storage[] backward(Storage g) {
        DataType t = g.type();
        switch (op) {
            case ADD:
                return new Storage[] {g, g};
            case SUB:
                return new Storage[] {g, needsInputGrad(1) ? Elementwise.scale(g, -1) : null};
            case MUL:
                return new Storage[] {
                    needsInputGrad(0) ? Elementwise.binary(BinaryOp.MUL, g, saved(b), g.shape(), t) : null,
                    needsInputGrad(1) ? Elementwise.binary(BinaryOp.MUL, g, saved(a), g.shape(), t) : null};
            default: {
                Storage ga = Elementwise.binary(BinaryOp.DIV, g, saved(b), g.shape(), t);
                // d(a/b)/db = -(a/b)/b = -out/b, reusing the quotient instead of recomputing a/b^2
                Storage gb = needsInputGrad(1)
                        ? Elementwise.scale(Elementwise.binary(BinaryOp.MUL, ga, saved(out), g.shape(), t), -1) : null;
                return new Storage[] {needsInputGrad(0) ? ga : null, gb};
            }
        }
    }

    @Override
    public String name() {
        switch (op) {
            case ADD: return "AddBackward";
            case SUB: return "SubBackward";
            case MUL: return "MulBackward";
            default: return "DivBackward";
        }
    }
}

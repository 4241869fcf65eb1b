package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.Elementwise.CompareOp;
import dev.nn4j.core.kernel.Storage;

/** Elementwise comparisons; the result is a bool mask and is never recorded (it has no gradient). */
public final class Compare extends Node {
    private Compare() {
    }

    /** A bool mask of {@code a op b}, with broadcasting. PyTorch: {@code a > b} etc. */
    public static Tensor apply(CompareOp op, Tensor a, Tensor b) {
        String name = op.name().toLowerCase();
        sameDevice(name, a, b);
        long[] shape = Shapes.broadcast(name, a.shape(), b.shape());
        return record(null, Elementwise.compare(op, storage(a), storage(b), shape, Promote.of(a, b)), a, b);
    }

    @Override
    protected Storage[] backward(Storage g) {
        throw new IllegalStateException("comparisons have no gradient");
    }
}

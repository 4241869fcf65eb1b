package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Storage;
import org.nd4j.linalg.api.buffer.DataType;

/** A dtype conversion; the engine casts the gradient back to the input's dtype. */
public final class Cast extends Node {
    private Cast() {
    }

    /** PyTorch: {@code x.to(dtype)}. */
    public static Tensor apply(Tensor x, DataType type) {
        // a non-floating result cannot carry a gradient
        return record(type.isFPType() ? new Cast() : null, storage(x).cast(type), x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {g};
    }

    @Override
    public String name() {
        return "ToCopyBackward";
    }
}

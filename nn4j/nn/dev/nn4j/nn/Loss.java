package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/** Base of the loss modules, which take an input and a target: {@link #call(Tensor, Tensor)}. */
public abstract class Loss extends Module {
    /**
     * The loss of {@code input} against {@code target}. PyTorch: {@code loss_fn(input, target)}.
     *
     * @throws ModuleInputException naming the loss and the shapes when they do not fit
     */
    public final Tensor call(Tensor input, Tensor target) {
        if (input == null || target == null) {
            throw new IllegalArgumentException(typeName() + ": input and target must not be null");
        }
        try {
            return compute(input, target);
        } catch (IllegalArgumentException e) {
            throw refusal(e);
        }
    }

    /** The loss itself. */
    protected abstract Tensor compute(Tensor input, Tensor target);

    @Override
    protected final Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(typeName() + " takes an input and a target: use call(input, target)");
    }
}

package dev.nn4j.examples;

import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Module;

/**
 * The chapter's exercise: feeds one input to two modules and concatenates their outputs along the last
 * dimension. d2l exercise: "a block that takes two blocks net1 and net2 and returns both outputs concatenated".
 */
public class ParallelBlock extends Module {
    private final Module first;
    private final Module second;

    /** Runs {@code first} and {@code second} on the same input. */
    public ParallelBlock(Module first, Module second) {
        this.first = registerModule("first", first);
        this.second = registerModule("second", second);
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Tensor.cat(-1, first.call(x), second.call(x));
    }
}

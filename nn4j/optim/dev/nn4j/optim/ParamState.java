package dev.nn4j.optim;

import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Parameter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What an optimizer remembers about one parameter between steps: buffers shaped like the parameter (momentum,
 * moment estimates) and, for optimizers that count them, the number of steps taken. PyTorch:
 * {@code optimizer.state[p]}.
 */
final class ParamState {
    // LinkedHashMap: buffers are listed in the state dict in the order they were created
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private long steps;

    /** The buffer {@code name}, or null before it exists. */
    Tensor buffer(String name) {
        return buffers.get(name);
    }

    /** Every buffer by name, in creation order. */
    Map<String, Tensor> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    /** Creates buffer {@code name} as zeros with {@code p}'s shape, dtype and device, and returns it. */
    Tensor zeros(String name, Parameter p) {
        Tensor t = Tensor.of(Nd4j.zeros(p.dtype(), p.shape())).to(p.device());
        buffers.put(name, t);
        return t;
    }

    /** Sets buffer {@code name} to a copy of {@code source} on {@code p}'s device, in {@code p}'s dtype. */
    void copy(String name, Tensor source, Parameter p) {
        zeros(name, p).copyFrom(source.to(p.device()));
    }

    /** Steps taken so far. */
    long steps() {
        return steps;
    }

    /** Counts one more step and returns the new count. */
    long countStep() {
        return ++steps;
    }

    void steps(long n) {
        steps = n;
    }

    /**
     * Moves the buffers to {@code p}'s device and dtype if {@code p} has moved since they were made:
     * {@code module.to(...)} swaps a parameter's storage but keeps the object, so its state must follow it here.
     */
    void follow(Parameter p) {
        buffers.replaceAll((name, t) -> {
            Tensor moved = t.to(p.device());
            return moved.dtype() == p.dtype() ? moved : moved.to(p.dtype());
        });
    }
}

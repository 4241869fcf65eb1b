package dev.nn4j.examples;

import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Functional;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Module;

/**
 * The chapter's block with a constant (non-trained) weight, one Linear used twice, and Java control flow in
 * {@code forward}. d2l: {@code class FixedHiddenMLP(nn.Module)}.
 */
public class FixedHiddenMLP extends Module {
    private final Tensor randWeight;
    private final Linear linear;

    /** With a 20x20 constant weight drawn from U[0, 1). */
    public FixedHiddenMLP() {
        this(Tensor.rand(20, 20));
    }

    /** With the given constant {@code [20, 20]} weight (never trained, not in the state dict). */
    public FixedHiddenMLP(Tensor randWeight) {
        // a non-persistent buffer: moved by to(device), but neither trained nor saved
        this.randWeight = registerBuffer("rand_weight", randWeight, false);
        this.linear = registerModule("linear", new Linear(20, 20));
    }

    @Override
    protected Tensor forward(Tensor x) {
        x = linear.call(x);
        x = Functional.relu(x.mm(randWeight).add(1));
        x = linear.call(x); // the same layer again: its parameters are shared
        while (x.abs().sum().item() > 1) {
            x = x.div(2);
        }
        return x.sum();
    }
}

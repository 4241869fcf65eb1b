package dev.nn4j.examples;

import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Functional;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Module;

/** The chapter's custom block: a hidden layer of 256 units and a 10-unit output. d2l: {@code class MLP(nn.Module)}. */
public class MLP extends Module {
    private final Linear hidden = registerModule("hidden", new Linear(20, 256));
    private final Linear out = registerModule("out", new Linear(256, 10));

    @Override
    protected Tensor forward(Tensor x) {
        return out.call(Functional.relu(hidden.call(x)));
    }
}

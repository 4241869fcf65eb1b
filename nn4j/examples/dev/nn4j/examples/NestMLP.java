package dev.nn4j.examples;

import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Module;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;

/** A block holding a Sequential and a Linear, for mixing blocks freely. d2l: {@code class NestMLP(nn.Module)}. */
public class NestMLP extends Module {
    private final Sequential net = registerModule("net",
            new Sequential(new Linear(20, 64), new ReLU(), new Linear(64, 32), new ReLU()));
    private final Linear linear = registerModule("linear", new Linear(32, 16));

    @Override
    protected Tensor forward(Tensor x) {
        return linear.call(net.call(x));
    }
}

package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/** PyTorch: {@code nn.ReLU()}: {@code max(x, 0)}, gradient 0 at 0. */
public class ReLU extends Module {
    @Override
    protected Tensor forward(Tensor x) {
        return Functional.relu(x);
    }
}

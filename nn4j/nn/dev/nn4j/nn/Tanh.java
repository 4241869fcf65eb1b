package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/** PyTorch: {@code nn.Tanh()}. */
public class Tanh extends Module {
    @Override
    protected Tensor forward(Tensor x) {
        return Functional.tanh(x);
    }
}

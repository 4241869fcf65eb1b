package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/** PyTorch: {@code nn.Sigmoid()}. */
public class Sigmoid extends Module {
    @Override
    protected Tensor forward(Tensor x) {
        return Functional.sigmoid(x);
    }
}

package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/** PyTorch: {@code nn.Identity()}: returns its input. */
public class Identity extends Module {
    @Override
    protected Tensor forward(Tensor x) {
        return x;
    }
}

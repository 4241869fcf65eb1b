package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/** {@code x sigmoid(x)} (swish). PyTorch: {@code nn.SiLU()}. */
public class SiLU extends Module {
    @Override
    protected Tensor forward(Tensor x) {
        return Functional.silu(x);
    }
}

package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/** Exact GELU, {@code x Phi(x)}. PyTorch: {@code nn.GELU()} (approximate='none'). */
public class GELU extends Module {
    @Override
    protected Tensor forward(Tensor x) {
        return Functional.gelu(x);
    }

    @Override
    public String extraRepr() {
        return "approximate='none'";
    }
}

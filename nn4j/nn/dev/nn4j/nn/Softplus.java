package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * {@code log(1 + e^x)}, a smooth ReLU (the identity above 20, PyTorch's threshold). PyTorch: {@code nn.Softplus()}
 * (only the default {@code beta=1}, {@code threshold=20} as a module; {@link Functional#softplus} takes beta).
 */
public class Softplus extends Module {
    @Override
    protected Tensor forward(Tensor x) {
        return Functional.softplus(x, 1);
    }

    @Override
    public String extraRepr() {
        return "beta=1, threshold=20";
    }
}

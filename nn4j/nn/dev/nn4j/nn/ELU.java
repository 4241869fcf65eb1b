package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/** {@code x} where positive, else {@code alpha (e^x - 1)}. PyTorch: {@code nn.ELU(alpha=1.0)}. */
public class ELU extends Module {
    private final double alpha;

    /** PyTorch: {@code nn.ELU()}. */
    public ELU() {
        this(1.0);
    }

    /** PyTorch: {@code nn.ELU(alpha)}. */
    public ELU(double alpha) {
        this.alpha = alpha;
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.elu(x, alpha);
    }

    @Override
    public String extraRepr() {
        return "alpha=" + Functional.pythonFloat(alpha);
    }
}

package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/** {@code x} where positive, else {@code slope x}. PyTorch: {@code nn.LeakyReLU(negative_slope=0.01)}. */
public class LeakyReLU extends Module {
    private final double slope;

    /** Slope 0.01. PyTorch: {@code nn.LeakyReLU()}. */
    public LeakyReLU() {
        this(0.01);
    }

    /** PyTorch: {@code nn.LeakyReLU(negative_slope)}. */
    public LeakyReLU(double slope) {
        if (Double.isNaN(slope)) {
            throw new IllegalArgumentException("LeakyReLU: negative_slope is NaN");
        }
        this.slope = slope;
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.leakyRelu(x, slope);
    }

    @Override
    public String extraRepr() {
        return "negative_slope=" + Functional.pythonFloat(slope);
    }
}

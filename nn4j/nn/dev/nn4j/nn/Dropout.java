package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * In training mode zeroes each element with probability {@code p} and scales the rest by {@code 1/(1-p)};
 * in evaluation mode returns its input. PyTorch: {@code nn.Dropout(p)}.
 */
public class Dropout extends Module {
    private final double p;

    /** PyTorch: {@code nn.Dropout(p)}; {@code p} in [0, 1]. */
    public Dropout(double p) {
        Functional.checkDropout(p);
        this.p = p;
    }

    /** The drop probability. */
    public double p() {
        return p;
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.dropout(x, p, isTraining());
    }

    @Override
    public String extraRepr() {
        return "p=" + Functional.pythonFloat(p) + ", inplace=False";
    }
}

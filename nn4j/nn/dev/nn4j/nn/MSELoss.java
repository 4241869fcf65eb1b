package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * Mean squared error. PyTorch: {@code nn.MSELoss(reduction="mean")}; {@code "sum"} and {@code "none"} also work.
 */
public class MSELoss extends Loss {
    private final String reduction;

    /** Mean reduction. PyTorch: {@code nn.MSELoss()}. */
    public MSELoss() {
        this("mean");
    }

    /** PyTorch: {@code nn.MSELoss(reduction=reduction)}. */
    public MSELoss(String reduction) {
        if (!reduction.equals("mean") && !reduction.equals("sum") && !reduction.equals("none")) {
            throw new IllegalArgumentException("MSELoss: reduction '" + reduction
                    + "' is not valid; use one of 'mean', 'sum', 'none'");
        }
        this.reduction = reduction;
    }

    @Override
    protected Tensor compute(Tensor input, Tensor target) {
        return Functional.mseLoss(input, target, reduction);
    }
}

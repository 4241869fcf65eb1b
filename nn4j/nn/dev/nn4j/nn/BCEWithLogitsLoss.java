package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * Binary cross entropy on logits: a sigmoid and the binary cross entropy in one numerically stable step, for
 * binary and multi-label classification. PyTorch: {@code nn.BCEWithLogitsLoss(reduction="mean")}; {@code "sum"}
 * and {@code "none"} also work ({@code weight} and {@code pos_weight} are not supported yet).
 */
public class BCEWithLogitsLoss extends Loss {
    private final String reduction;

    /** Mean reduction. PyTorch: {@code nn.BCEWithLogitsLoss()}. */
    public BCEWithLogitsLoss() {
        this("mean");
    }

    /** PyTorch: {@code nn.BCEWithLogitsLoss(reduction=reduction)}. */
    public BCEWithLogitsLoss(String reduction) {
        if (!reduction.equals("mean") && !reduction.equals("sum") && !reduction.equals("none")) {
            throw new IllegalArgumentException("BCEWithLogitsLoss: reduction '" + reduction
                    + "' is not valid; use one of 'mean', 'sum', 'none'");
        }
        this.reduction = reduction;
    }

    @Override
    protected Tensor compute(Tensor input, Tensor target) {
        return Functional.binaryCrossEntropyWithLogits(input, target, reduction);
    }
}

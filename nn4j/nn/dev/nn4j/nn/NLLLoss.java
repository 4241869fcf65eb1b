package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * Negative log likelihood of log-probabilities {@code [N, C]} (a {@link LogSoftmax} output) at int64 class indices
 * {@code [N]}. PyTorch: {@code nn.NLLLoss(reduction="mean")}; {@code "sum"} also works ({@code weight} and
 * {@code ignore_index} are not supported yet).
 */
public class NLLLoss extends Loss {
    private final String reduction;

    /** Mean reduction. PyTorch: {@code nn.NLLLoss()}. */
    public NLLLoss() {
        this("mean");
    }

    /** PyTorch: {@code nn.NLLLoss(reduction=reduction)}. */
    public NLLLoss(String reduction) {
        if (!reduction.equals("mean") && !reduction.equals("sum")) {
            throw new IllegalArgumentException("NLLLoss: reduction '" + reduction + "' is not valid; use 'mean' or "
                    + "'sum'");
        }
        this.reduction = reduction;
    }

    @Override
    protected Tensor compute(Tensor input, Tensor target) {
        return Functional.nllLoss(input, target, reduction);
    }
}

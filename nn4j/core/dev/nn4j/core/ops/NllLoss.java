package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Losses;
import dev.nn4j.core.kernel.Storage;

/**
 * Negative log likelihood of log-probabilities {@code [N, C]} at int64 class targets, mean or sum over the batch;
 * the backward puts {@code -g} (over {@code N} for the mean) at each target. With {@code logSoftmax} before it,
 * cross entropy in two steps.
 */
public final class NllLoss extends Node {
    private final long[] targets;
    private final long[] inputShape;
    private final boolean mean;

    private NllLoss(long[] targets, long[] inputShape, boolean mean) {
        this.targets = targets;
        this.inputShape = inputShape;
        this.mean = mean;
    }

    /** PyTorch: {@code F.nll_loss(input, target, reduction="mean"|"sum")}. */
    public static Tensor apply(Tensor input, Tensor target, String reduction) {
        sameDevice("nll_loss", input, target);
        if (!reduction.equals("mean") && !reduction.equals("sum")) {
            throw new IllegalArgumentException("nll_loss: reduction '" + reduction + "' is not valid; use 'mean' or "
                    + "'sum'");
        }
        long[] t = ClassTargets.check("nll_loss", input, target);
        boolean mean = reduction.equals("mean");
        return record(new NllLoss(t, input.shape(), mean), Losses.nll(storage(input), t, mean), input, target);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Losses.nllBackward(g, inputShape, targets, mean), null};
    }

    @Override
    public String name() {
        return "NllLossBackward";
    }
}

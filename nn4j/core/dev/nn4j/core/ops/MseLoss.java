package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.Elementwise.BinaryOp;
import dev.nn4j.core.kernel.Reductions;
import dev.nn4j.core.kernel.Storage;

/**
 * Mean squared error with {@code "mean"}, {@code "sum"} or {@code "none"} reduction. Backward:
 * {@code 2 (x - t) g / n} for the input and its negative for the target.
 */
public final class MseLoss extends Node {
    private final String reduction;
    /** Index of the saved difference {@code input - target} (see {@link #saved}). */
    private int diff;

    private MseLoss(String reduction) {
        this.reduction = reduction;
    }

    /**
     * PyTorch: {@code F.mse_loss(input, target, reduction=...)}. Shapes must be equal: PyTorch broadcasts
     * with a warning, which is almost always a bug, so nn4j refuses.
     */
    public static Tensor apply(Tensor input, Tensor target, String reduction) {
        sameDevice("mse_loss", input, target);
        if (!reduction.equals("mean") && !reduction.equals("sum") && !reduction.equals("none")) {
            throw new IllegalArgumentException("mse_loss: reduction '" + reduction
                    + "' is not valid; use one of 'mean', 'sum', 'none'");
        }
        if (!java.util.Arrays.equals(storage(input).shape(), storage(target).shape())) {
            throw new IllegalArgumentException("mse_loss: input shape " + Shapes.str(input.shape())
                    + " and target shape " + Shapes.str(target.shape()) + " differ");
        }
        if (!input.dtype().isFPType() || input.dtype() != target.dtype()) {
            throw new IllegalArgumentException("mse_loss: expected input and target of one floating dtype, got "
                    + input.dtype() + " and " + target.dtype());
        }
        Storage diff = Elementwise.binary(BinaryOp.SUB, storage(input), storage(target), storage(input).shape(),
                input.dtype());
        Storage out;
        if (reduction.equals("none")) {
            out = Elementwise.binary(BinaryOp.MUL, diff, diff, diff.shape(), input.dtype());
        } else {
            out = Reductions.sumOfSquares(diff, reduction.equals("mean"));
        }
        MseLoss fn = new MseLoss(reduction);
        if (recording(input, target)) {
            fn.diff = fn.save(diff);
        }
        return record(fn, out, input, target);
    }

    @Override
    protected Storage[] backward(Storage g) {
        Storage d = saved(diff);
        Storage gi;
        if (reduction.equals("none")) {
            gi = Elementwise.scale(Elementwise.binary(BinaryOp.MUL, d, g, d.shape(), d.type()), 2);
        } else {
            gi = Elementwise.scale(d, g, 2, reduction.equals("mean") ? d.size() : 1);
        }
        return new Storage[] {needsInputGrad(0) ? gi : null, needsInputGrad(1) ? Elementwise.scale(gi, -1) : null};
    }

    @Override
    public String name() {
        return "MseLossBackward";
    }
}

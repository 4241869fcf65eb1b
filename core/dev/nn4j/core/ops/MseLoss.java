package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Kernels;
import dev.nn4j.core.Kernels.BinaryOp;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Storage;
import dev.nn4j.core.Tensor;

/**
 * Mean squared error with {@code "mean"}, {@code "sum"} or {@code "none"} reduction. Backward:
 * {@code 2 (x - t) g / n} for the input and its negative for the target.
 */
public final class MseLoss extends Function {
    private final String reduction;
    private Storage diff;

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
        Storage diff = Kernels.binary(BinaryOp.SUB, storage(input), storage(target), storage(input).shape(),
                input.dtype());
        Storage out;
        if (reduction.equals("none")) {
            out = Kernels.binary(BinaryOp.MUL, diff, diff, diff.shape(), input.dtype());
        } else {
            double s = Kernels.sumOfSquares(diff);
            out = Storage.fromDoubles(new double[] {reduction.equals("mean") ? s / diff.size() : s}, new long[0],
                    input.dtype());
        }
        MseLoss fn = new MseLoss(reduction);
        fn.diff = diff;
        return record(fn, out, input, target);
    }

    @Override
    protected Storage[] backward(Storage g) {
        Storage gi;
        if (reduction.equals("none")) {
            gi = Kernels.scale(Kernels.binary(BinaryOp.MUL, diff, g, diff.shape(), diff.type()), 2);
        } else {
            gi = Kernels.scale(diff, 2 * g.getDouble(0) / (reduction.equals("mean") ? diff.size() : 1));
        }
        return new Storage[] {needsInputGrad(0) ? gi : null, needsInputGrad(1) ? Kernels.scale(gi, -1) : null};
    }

    @Override
    protected void releaseSaved() {
        diff = null;
    }

    @Override
    public String name() {
        return "MseLossBackward";
    }
}

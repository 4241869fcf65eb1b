package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mean squared error with {@code "mean"}, {@code "sum"} or {@code "none"} reduction. Backward:
 * {@code 2 (x - t) g / n} for the input and its negative for the target.
 */
public final class MseLoss extends Function {
    private final String reduction;
    private INDArray diff;

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
        if (!java.util.Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("mse_loss: input shape " + Shapes.str(input.shape())
                    + " and target shape " + Shapes.str(target.shape()) + " differ");
        }
        if (!input.dtype().isFPType() || input.dtype() != target.dtype()) {
            throw new IllegalArgumentException("mse_loss: expected input and target of one floating dtype, got "
                    + input.dtype() + " and " + target.dtype());
        }
        INDArray diff = input.array().sub(target.array());
        INDArray sq = diff.mul(diff);
        INDArray out;
        if (reduction.equals("none")) {
            out = sq;
        } else {
            double s = sq.length() == 0 ? 0 : sq.sumNumber().doubleValue();
            out = Nd4j.scalar(input.dtype(), reduction.equals("mean") ? s / sq.length() : s);
        }
        MseLoss fn = new MseLoss(reduction);
        fn.diff = diff;
        return record(fn, out, input, target);
    }

    @Override
    protected INDArray[] backward(INDArray g) {
        INDArray gi;
        if (reduction.equals("none")) {
            gi = diff.mul(g).muli(2);
        } else {
            double scale = 2 * g.getDouble(0) / (reduction.equals("mean") ? diff.length() : 1);
            gi = diff.mul(scale);
        }
        return new INDArray[] {needsInputGrad(0) ? gi : null, needsInputGrad(1) ? gi.neg() : null};
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

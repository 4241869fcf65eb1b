package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Losses;
import dev.nn4j.core.kernel.Storage;

/**
 * Binary cross entropy on logits with {@code "mean"}, {@code "sum"} or {@code "none"} reduction, in the form that
 * never overflows (see {@link Losses#bceWithLogits}); backward {@code (sigmoid(x) - y) g} for the logits and
 * {@code -x g} for the target, exact at every {@code x} where composing ops would kink at 0.
 */
public final class BceWithLogits extends Node {
    private final String reduction;
    /** Indices of the saved logits and target (see {@link #saved}). */
    private int xi;
    private int yi;

    private BceWithLogits(String reduction) {
        this.reduction = reduction;
    }

    /**
     * PyTorch: {@code F.binary_cross_entropy_with_logits(input, target, reduction=...)}; shapes must be equal and
     * the target a probability of the same floating dtype.
     */
    public static Tensor apply(Tensor input, Tensor target, String reduction) {
        sameDevice("binary_cross_entropy_with_logits", input, target);
        if (!reduction.equals("mean") && !reduction.equals("sum") && !reduction.equals("none")) {
            throw new IllegalArgumentException("binary_cross_entropy_with_logits: reduction '" + reduction
                    + "' is not valid; use one of 'mean', 'sum', 'none'");
        }
        if (!java.util.Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("binary_cross_entropy_with_logits: Target size ("
                    + Shapes.str(target.shape()) + ") must be the same as input size (" + Shapes.str(input.shape())
                    + ")");
        }
        if (!input.dtype().isFPType() || input.dtype() != target.dtype()) {
            throw new IllegalArgumentException("binary_cross_entropy_with_logits: expected input and target of one "
                    + "floating dtype, got " + input.dtype() + " and " + target.dtype());
        }
        Storage out = Losses.bceWithLogits(storage(input), storage(target), reduction);
        BceWithLogits fn = new BceWithLogits(reduction);
        if (recording(input, target)) {
            fn.xi = fn.save(storage(input));
            fn.yi = fn.save(storage(target));
        }
        return record(fn, out, input, target);
    }

    @Override
    protected Storage[] backward(Storage g) {
        Storage[] r = Losses.bceWithLogitsBackward(g, saved(xi), saved(yi), reduction);
        return new Storage[] {needsInputGrad(0) ? r[0] : null, needsInputGrad(1) ? r[1] : null};
    }

    @Override
    public String name() {
        return "BinaryCrossEntropyWithLogitsBackward";
    }
}

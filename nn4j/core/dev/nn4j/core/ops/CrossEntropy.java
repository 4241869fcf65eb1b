package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Losses;
import dev.nn4j.core.kernel.Storage;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Cross entropy of logits {@code [N, C]} against int64 class indices {@code [N]}, mean over the batch, computed
 * through a max-shifted log-softmax. Backward: {@code (softmax(x) - onehot(t)) g / N}.
 */
public final class CrossEntropy extends Node {
    /** The class indices: the op's own copy, read by the backward (never a user's array). */
    private final long[] targets;
    /** Index of the saved softmax probabilities (see {@link #saved}). */
    private int probs;

    private CrossEntropy(long[] targets) {
        this.targets = targets;
    }

    /** PyTorch: {@code F.cross_entropy(logits, target)} with class-index targets and mean reduction. */
    public static Tensor apply(Tensor logits, Tensor target) {
        sameDevice("cross_entropy", logits, target);
        if (logits.dim() != 2) {
            throw new IllegalArgumentException("cross_entropy: expected logits of shape [N, C], got "
                    + Shapes.str(logits.shape()));
        }
        if (!logits.dtype().isFPType()) {
            throw new IllegalArgumentException("cross_entropy: logits must be floating point, got " + logits.dtype());
        }
        if (target.dtype() != DataType.LONG && target.dtype() != DataType.INT) {
            throw new IllegalArgumentException("cross_entropy: expected int64 class indices as target, got "
                    + target.dtype() + " (shape " + Shapes.str(target.shape()) + ")");
        }
        long n = logits.size(0);
        long c = logits.size(1);
        if (target.dim() != 1 || target.size(0) != n) {
            throw new IllegalArgumentException("cross_entropy: expected target of shape [" + n + "] for logits "
                    + Shapes.str(logits.shape()) + ", got " + Shapes.str(target.shape()));
        }
        long[] t = Losses.classIndices(storage(target));
        for (int i = 0; i < t.length; i++) {
            if (t[i] < 0 || t[i] >= c) {
                throw new IllegalArgumentException("cross_entropy: target " + t[i] + " at position " + i
                        + " is out of bounds for " + c + " classes (valid: 0.." + (c - 1) + ")");
            }
        }
        Storage[] lossAndProbs = Losses.crossEntropy(storage(logits), t, (int) n, (int) c);
        CrossEntropy fn = new CrossEntropy(t);
        if (recording(logits)) {
            fn.probs = fn.save(lossAndProbs[1]);
        }
        return record(fn, lossAndProbs[0], logits, target);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Losses.crossEntropyBackward(g, saved(probs), targets), null};
    }

    @Override
    public String name() {
        return "NllLossBackward";
    }
}

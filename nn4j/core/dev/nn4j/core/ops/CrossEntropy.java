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
        long[] t = ClassTargets.check("cross_entropy", logits, target);
        long n = logits.size(0);
        long c = logits.size(1);
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

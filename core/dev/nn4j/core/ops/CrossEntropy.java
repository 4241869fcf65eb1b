package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Storage;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Cross entropy of logits {@code [N, C]} against int64 class indices {@code [N]}, mean over the batch, computed
 * through a max-shifted log-softmax. Backward: {@code (softmax(x) - onehot(t)) g / N}.
 */
public final class CrossEntropy extends Function {
    private double[] probs;
    private long[] targets;
    private final long n;
    private final long c;

    private CrossEntropy(long n, long c) {
        this.n = n;
        this.c = c;
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
        long[] t = target.numel() == 0 ? new long[0]
                : storage(target).nd().castTo(DataType.LONG).dup('c').reshape(-1).toLongVector();
        for (int i = 0; i < t.length; i++) {
            if (t[i] < 0 || t[i] >= c) {
                throw new IllegalArgumentException("cross_entropy: target " + t[i] + " at position " + i
                        + " is out of bounds for " + c + " classes (valid: 0.." + (c - 1) + ")");
            }
        }
        double[] x = storage(logits).doubles();
        double[] p = new double[x.length];
        double loss = 0;
        for (int i = 0; i < n; i++) {
            int base = (int) (i * c);
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, x[base + j]);
            }
            double sum = 0;
            for (int j = 0; j < c; j++) {
                p[base + j] = Math.exp(x[base + j] - max);
                sum += p[base + j];
            }
            for (int j = 0; j < c; j++) {
                p[base + j] /= sum;
            }
            loss -= x[base + (int) t[i]] - max - Math.log(sum);
        }
        CrossEntropy fn = new CrossEntropy(n, c);
        fn.probs = p;
        fn.targets = t;
        Storage out = Storage.fromDoubles(new double[] {n == 0 ? Double.NaN : loss / n}, new long[0], logits.dtype());
        return record(fn, out, logits, target);
    }

    @Override
    protected Storage[] backward(Storage g) {
        double scale = g.getDouble(0) / n;
        double[] gx = new double[probs.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                int k = (int) (i * c + j);
                gx[k] = (probs[k] - (j == targets[i] ? 1 : 0)) * scale;
            }
        }
        return new Storage[] {Storage.fromDoubles(gx, new long[] {n, c}, g.type()), null};
    }

    @Override
    protected void releaseSaved() {
        probs = null;
        targets = null;
    }

    @Override
    public String name() {
        return "NllLossBackward";
    }
}

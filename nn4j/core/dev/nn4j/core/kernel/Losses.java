package dev.nn4j.core.kernel;

import org.nd4j.linalg.api.buffer.DataType;

/** Loss kernels that fuse their reductions. Internal. */
public final class Losses {
    private Losses() {
    }

    /** The int64 class indices of {@code target} as a Java array (a copy). */
    public static long[] classIndices(Storage target) {
        if (target.size() == 0) {
            return new long[0];
        }
        org.nd4j.linalg.api.ndarray.INDArray t = target.nd();
        if (t.dataType() == DataType.LONG && t.rank() == 1 && Storage.isDenseC(t)) {
            return t.toLongVector(); // already what we need: no cast or copy op
        }
        return t.castTo(DataType.LONG).dup('c').reshape(-1).toLongVector();
    }

    /**
     * Cross entropy of {@code logits} {@code [n, c]} against class indices, mean over the batch, through a
     * max-shifted log-softmax. Returns the 0-d loss (NaN for an empty batch, as PyTorch) and the softmax
     * probabilities (float64) that the backward needs.
     */
    public static Storage[] crossEntropy(Storage logits, long[] t, int n, int c) {
        if (logits.type() == DataType.FLOAT) {
            return crossEntropyFloats(logits.floats(), t, n, c);
        }
        double[] x = logits.doubles();
        double[] p = new double[x.length];
        double loss = 0;
        for (int i = 0; i < n; i++) {
            int base = i * c;
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
        Storage out = Storage.scalar(n == 0 ? Double.NaN : loss / n, logits.type());
        return new Storage[] {out, Storage.ofDoubles(p, new long[] {n, c})};
    }

    /**
     * {@link #crossEntropy} of float32 logits: sums and the loss in float64, the probabilities kept as float32 (a
     * language model's logits are its largest activation: no float64 copies of them).
     */
    private static Storage[] crossEntropyFloats(float[] x, long[] t, int n, int c) {
        float[] p = new float[x.length];
        double loss = 0;
        FloatMath math = FloatMath.get();
        for (int i = 0; i < n; i++) {
            int base = i * c;
            float max = math.max(x, base, c);
            double sum = math.expShifted(x, base, max, p, base, c);
            math.scale(p, base, c, 1 / sum);
            loss -= (double) x[base + (int) t[i]] - max - Math.log(sum);
        }
        Storage out = Storage.scalar(n == 0 ? Double.NaN : loss / n, DataType.FLOAT);
        return new Storage[] {out, Storage.ofFloats(p, new long[] {n, c})};
    }

    /**
     * Binary cross entropy on logits, elementwise {@code max(x, 0) - x y + log(1 + exp(-|x|))} (no overflow for any
     * {@code x}), then summed, averaged ({@code mean}) or kept ({@code none}, {@code x}'s shape).
     */
    public static Storage bceWithLogits(Storage x, Storage y, String reduction) {
        double[] xv = x.doubles();
        double[] yv = y.doubles();
        double[] l = new double[xv.length];
        double sum = 0;
        for (int i = 0; i < xv.length; i++) {
            double v = xv[i];
            l[i] = Math.max(v, 0) - v * yv[i] + Math.log1p(Math.exp(-Math.abs(v)));
            sum += l[i];
        }
        if (reduction.equals("none")) {
            return Storage.owning(l, x.shape(), x.type());
        }
        return Storage.scalar(reduction.equals("mean") ? sum / xv.length : sum, x.type());
    }

    /**
     * {@link #bceWithLogits}'s backward: {input: (sigmoid(x) - y) g, target: -x g}, each scaled by {@code 1/n} for
     * the mean; {@code g} a scalar, or elementwise for {@code none}.
     */
    public static Storage[] bceWithLogitsBackward(Storage g, Storage x, Storage y, String reduction) {
        double[] xv = x.doubles();
        double[] yv = y.doubles();
        double[] gv = g.doubles();
        boolean none = reduction.equals("none");
        double scale = none ? 1 : reduction.equals("mean") ? gv[0] / xv.length : gv[0];
        double[] gx = new double[xv.length];
        double[] gy = new double[xv.length];
        for (int i = 0; i < xv.length; i++) {
            double s = none ? gv[i] : scale;
            gx[i] = (1 / (1 + Math.exp(-xv[i])) - yv[i]) * s;
            gy[i] = -xv[i] * s;
        }
        return new Storage[] {Storage.owning(gx, x.shape(), x.type()), Storage.owning(gy, x.shape(), x.type())};
    }

    /** {@code -sum_i x[i, t_i]}, over {@code n} for the mean (NaN for an empty batch's mean, as PyTorch). */
    public static Storage nll(Storage x, long[] t, boolean mean) {
        int c = (int) x.shape()[1];
        double[] v = x.doubles();
        double sum = 0;
        for (int i = 0; i < t.length; i++) {
            sum -= v[i * c + (int) t[i]];
        }
        return Storage.scalar(mean ? (t.length == 0 ? Double.NaN : sum / t.length) : sum, x.type());
    }

    /** {@link #nll}'s backward: {@code -g} (over {@code n} for the mean) at each target, zeros elsewhere. */
    public static Storage nllBackward(Storage g, long[] inputShape, long[] t, boolean mean) {
        int c = (int) inputShape[1];
        double v = -g.getDouble(0) / (mean ? t.length : 1);
        double[] gx = new double[t.length * c];
        for (int i = 0; i < t.length; i++) {
            gx[i * c + (int) t[i]] = v;
        }
        return Storage.owning(gx, inputShape, g.type());
    }

    /** Cross entropy's backward: {@code (probs - onehot(t)) g / n}, in {@code g}'s type. */
    public static Storage crossEntropyBackward(Storage g, Storage probs, long[] t) {
        int n = (int) probs.shape()[0];
        int c = (int) probs.shape()[1];
        double scale = g.getDouble(0) / n;
        if (probs.type() == DataType.FLOAT && g.type() == DataType.FLOAT) {
            float[] pr = probs.floats();
            float[] gx = new float[pr.length];
            float sc = (float) scale;
            for (int i = 0; i < n; i++) {
                int base = i * c;
                for (int j = 0; j < c; j++) {
                    gx[base + j] = pr[base + j] * sc;
                }
                gx[base + (int) t[i]] = (pr[base + (int) t[i]] - 1) * sc;
            }
            return Storage.ofFloats(gx, probs.shape());
        }
        double[] pr = probs.doubles();
        double[] gx = new double[pr.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                int k = i * c + j;
                gx[k] = (pr[k] - (j == t[i] ? 1 : 0)) * scale;
            }
        }
        return Storage.owning(gx, probs.shape(), g.type());
    }
}

package dev.nn4j.core.kernel;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * Batch, layer and group normalization as fused loops: statistics in double (biased variance, as PyTorch
 * normalizes), one pass for the output; backward in closed form from the saved mean and inverse standard deviation.
 * Internal.
 */
public final class Norms {
    private Norms() {
    }

    // ---------------------------------------------------------------- batch norm over [N, C, *]

    /**
     * Batch norm of {@code x} ({@code [N, C, *]}): with the batch's statistics when {@code training} (then the running
     * statistics, when given, move by {@code momentum} toward the batch mean and the unbiased batch variance, in
     * place), else with the running ones. {@code w} and {@code b} may be null. Returns {y, mean, invstd}, the last
     * two {@code [C]} float64, as the backward needs them.
     */
    public static Storage[] batchNorm(Storage x, Storage w, Storage b, Storage runningMean, Storage runningVar,
                                      boolean training, double momentum, double eps) {
        if (x.type() == DataType.FLOAT) {
            return BatchNormFloat.forward(x, w, b, runningMean, runningVar, training, momentum, eps);
        }
        long[] s = x.shape();
        int n = (int) s[0];
        int c = (int) s[1];
        int inner = (int) (x.size() / Math.max(1, (long) n * c));
        double[] xv = x.doubles();
        double[] mean = new double[c];
        double[] invstd = new double[c];
        statistics(n * inner, eps, training, runningMean, runningVar, momentum, mean, invstd, new ChannelSums() {
            @Override
            public double sum(int ch) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    for (int k = 0, o = (i * c + ch) * inner; k < inner; k++) {
                        sum += xv[o + k];
                    }
                }
                return sum;
            }

            @Override
            public double squaredDeviations(int ch, double m) {
                double sq = 0;
                for (int i = 0; i < n; i++) {
                    for (int k = 0, o = (i * c + ch) * inner; k < inner; k++) {
                        double d = xv[o + k] - m;
                        sq += d * d;
                    }
                }
                return sq;
            }
        });
        double[] wv = w == null ? null : w.doubles();
        double[] bv = b == null ? null : b.doubles();
        double[] y = new double[xv.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                double scale = invstd[ch] * (wv == null ? 1 : wv[ch]);
                double shift = (bv == null ? 0 : bv[ch]) - mean[ch] * scale;
                for (int k = 0, o = (i * c + ch) * inner; k < inner; k++) {
                    y[o + k] = xv[o + k] * scale + shift;
                }
            }
        }
        long[] cs = {c};
        return new Storage[] {Storage.owning(y, s, x.type()), Storage.ofDoubles(mean, cs),
            Storage.ofDoubles(invstd, cs)};
    }

    /** A channel's sums over the batch and the positions, read however the data's type is best read. */
    interface ChannelSums {
        /** The sum of channel {@code ch}'s values. */
        double sum(int ch);

        /** The sum of squared deviations of channel {@code ch}'s values from {@code mean}. */
        double squaredDeviations(int ch, double mean);
    }

    /**
     * Fills {@code mean} and {@code invstd} per channel: with the batch's statistics in training ({@code count}
     * values per channel; the running statistics, when given, move toward the batch mean and the unbiased batch
     * variance, in place), else from the running statistics.
     */
    static void statistics(int count, double eps, boolean training, Storage runningMean, Storage runningVar,
                           double momentum, double[] mean, double[] invstd, ChannelSums sums) {
        int c = mean.length;
        if (!training) {
            double[] rm = runningMean.doubles();
            double[] rv = runningVar.doubles();
            for (int ch = 0; ch < c; ch++) {
                mean[ch] = rm[ch];
                invstd[ch] = 1 / Math.sqrt(rv[ch] + eps);
            }
            return;
        }
        double[] unbiased = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double m = sums.sum(ch) / count;
            double sq = sums.squaredDeviations(ch, m);
            mean[ch] = m;
            invstd[ch] = 1 / Math.sqrt(sq / count + eps);
            unbiased[ch] = sq / (count - 1);
        }
        if (runningMean != null) {
            moveToward(runningMean, mean, momentum);
        }
        if (runningVar != null) {
            moveToward(runningVar, unbiased, momentum);
        }
    }

    /** {@code running = (1 - momentum) running + momentum stat}, in place through the storage's counted writer. */
    private static void moveToward(Storage running, double[] stat, double momentum) {
        double[] r = running.doubles();
        double[] next = new double[r.length];
        for (int i = 0; i < r.length; i++) {
            next[i] = (1 - momentum) * r[i] + momentum * stat[i];
        }
        running.assign(Storage.ofDoubles(next, running.shape()));
    }

    /**
     * Batch norm's backward: {gx, gw, gb}, each null unless asked for. In training the batch statistics depend on
     * {@code x}; in eval they are constants.
     */
    public static Storage[] batchNormBackward(Storage g, Storage x, Storage w, Storage mean, Storage invstd,
                                              boolean training, boolean needX, boolean needW, boolean needB) {
        if (x.type() == DataType.FLOAT && g.type() == DataType.FLOAT) {
            return BatchNormFloat.backward(g, x, w, mean, invstd, training, needX, needW, needB);
        }
        long[] s = x.shape();
        int n = (int) s[0];
        int c = (int) s[1];
        int inner = (int) (x.size() / Math.max(1, (long) n * c));
        int count = n * inner;
        double[] gv = g.doubles();
        double[] xv = x.doubles();
        double[] mv = mean.doubles();
        double[] iv = invstd.doubles();
        double[] wv = w == null ? null : w.doubles();
        double[] gx = needX ? new double[xv.length] : null;
        double[] gw = needW ? new double[c] : null;
        double[] gb = needB ? new double[c] : null;
        for (int ch = 0; ch < c; ch++) {
            double sumG = 0;
            double sumGXhat = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0, o = (i * c + ch) * inner; k < inner; k++) {
                    sumG += gv[o + k];
                    sumGXhat += gv[o + k] * (xv[o + k] - mv[ch]) * iv[ch];
                }
            }
            if (gw != null) {
                gw[ch] = sumGXhat;
            }
            if (gb != null) {
                gb[ch] = sumG;
            }
            if (gx != null) {
                double scale = (wv == null ? 1 : wv[ch]) * iv[ch];
                for (int i = 0; i < n; i++) {
                    for (int k = 0, o = (i * c + ch) * inner; k < inner; k++) {
                        if (training) {
                            double xhat = (xv[o + k] - mv[ch]) * iv[ch];
                            gx[o + k] = scale * (gv[o + k] - sumG / count - xhat * sumGXhat / count);
                        } else {
                            gx[o + k] = scale * gv[o + k];
                        }
                    }
                }
            }
        }
        DataType t = g.type();
        long[] cs = {c};
        return new Storage[] {gx == null ? null : Storage.owning(gx, s, t),
            gw == null ? null : Storage.owning(gw, cs, w.type()), gb == null ? null : Storage.owning(gb, cs, t)};
    }

    // ---------------------------------------------------------------- layer and group norm: contiguous groups

    /**
     * Normalizes each of {@code x}'s {@code rows} contiguous groups of {@code size} elements by its own statistics,
     * then applies an elementwise affine whose parameter for element {@code j} of group {@code r} is
     * {@code (r % perSample) * span + j / inner}: layer norm is ({@code perSample} 1, {@code span} 0,
     * {@code inner} 1), group norm ({@code groups}, channels per group, spatial size). {@code w} and {@code b} may be
     * null. Returns {y, mean, invstd}, the last two {@code [rows]} float64.
     */
    public static Storage[] groupwise(Storage x, int rows, Storage w, Storage b, int perSample, int span, int inner,
                                      double eps) {
        int size = rows == 0 ? 0 : (int) (x.size() / rows);
        double[] xv = x.doubles();
        double[] wv = w == null ? null : w.doubles();
        double[] bv = b == null ? null : b.doubles();
        double[] y = new double[xv.length];
        double[] mean = new double[rows];
        double[] invstd = new double[rows];
        int blocks = size / Math.max(1, inner);
        for (int r = 0; r < rows; r++) {
            int o = r * size;
            double m = sum(xv, o, size) / size;
            double is = 1 / Math.sqrt(squaredDeviations(xv, o, size, m) / size + eps);
            mean[r] = m;
            invstd[r] = is;
            int p0 = (r % perSample) * span;
            // by parameter block: no division or null test per element
            for (int q = 0, j = o; q < blocks; q++) {
                double scale = is * (wv == null ? 1 : wv[p0 + q]);
                double shift = bv == null ? 0 : bv[p0 + q];
                for (int e = j + inner; j < e; j++) {
                    y[j] = (xv[j] - m) * scale + shift;
                }
            }
        }
        long[] rs = {rows};
        return new Storage[] {Storage.owning(y, x.shape(), x.type()), Storage.ofDoubles(mean, rs),
            Storage.ofDoubles(invstd, rs)};
    }

    /** {@link #groupwise}'s backward: {gx, gw, gb}, each null unless asked for; {@code params} is w's size. */
    public static Storage[] groupwiseBackward(Storage g, Storage x, Storage w, Storage mean, Storage invstd,
                                              int perSample, int span, int inner, long[] paramShape, boolean needX,
                                              boolean needW, boolean needB) {
        int rows = mean.size();
        int size = rows == 0 ? 0 : (int) (x.size() / rows);
        int params = (int) dev.nn4j.core.Shapes.numel(paramShape);
        double[] gv = g.doubles();
        double[] xv = x.doubles();
        double[] mv = mean.doubles();
        double[] iv = invstd.doubles();
        double[] wv = w == null ? null : w.doubles();
        double[] gx = needX ? new double[xv.length] : null;
        double[] gw = needW ? new double[params] : null;
        double[] gb = needB ? new double[params] : null;
        int blocks = size / Math.max(1, inner);
        double[] xhatRow = inner == 1 ? new double[size] : null;
        double[] ghRow = inner == 1 ? new double[size] : null;
        for (int r = 0; r < rows; r++) {
            int o = r * size;
            int p0 = (r % perSample) * span;
            double m = mv[r];
            double is = iv[r];
            if (inner == 1) {
                perElementRowBackward(gv, xv, wv, o, p0, size, m, is, xhatRow, ghRow, gx, gw, gb);
                continue;
            }
            double sumGh = 0;
            double sumGhXhat = 0;
            // by parameter block: no division or null test per element
            for (int q = 0, j = o; q < blocks; q++) {
                int p = p0 + q;
                double wp = wv == null ? 1 : wv[p];
                double gSum = 0;
                double gXhat = 0;
                for (int e = j + inner; j < e; j++) {
                    double xhat = (xv[j] - m) * is;
                    gSum += gv[j];
                    gXhat += gv[j] * xhat;
                }
                sumGh += gSum * wp;
                sumGhXhat += gXhat * wp;
                if (gw != null) {
                    gw[p] += gXhat;
                }
                if (gb != null) {
                    gb[p] += gSum;
                }
            }
            if (gx != null) {
                double meanGh = sumGh / size;
                double meanGhXhat = sumGhXhat / size;
                for (int q = 0, j = o; q < blocks; q++) {
                    double wp = wv == null ? 1 : wv[p0 + q];
                    for (int e = j + inner; j < e; j++) {
                        double xhat = (xv[j] - m) * is;
                        gx[j] = is * (gv[j] * wp - meanGh - xhat * meanGhXhat);
                    }
                }
            }
        }
        DataType t = g.type();
        return new Storage[] {gx == null ? null : Storage.owning(gx, x.shape(), t),
            gw == null ? null : Storage.owning(gw, paramShape, t), gb == null ? null : Storage.owning(gb, paramShape, t)};
    }

    /**
     * One row of {@link #groupwiseBackward} with a parameter per element (layer norm), in passes: the
     * normalized input and the scaled gradient into {@code xhat} and {@code gh}, the parameter gradients, the two
     * row sums, then the input gradient; only the sums carry a dependence from one element to the next.
     */
    private static void perElementRowBackward(double[] gv, double[] xv, double[] wv, int o, int p0, int size,
                                              double m, double is, double[] xhat, double[] gh, double[] gx,
                                              double[] gw, double[] gb) {
        for (int j = 0; j < size; j++) {
            xhat[j] = (xv[o + j] - m) * is;
            gh[j] = wv == null ? gv[o + j] : gv[o + j] * wv[p0 + j];
        }
        if (gw != null) {
            for (int j = 0; j < size; j++) {
                gw[p0 + j] += gv[o + j] * xhat[j];
            }
        }
        if (gb != null) {
            for (int j = 0; j < size; j++) {
                gb[p0 + j] += gv[o + j];
            }
        }
        if (gx == null) {
            return;
        }
        double meanGh = sum(gh, 0, size) / size;
        double meanGhXhat = dot(gh, xhat, size) / size;
        for (int j = 0; j < size; j++) {
            gx[o + j] = is * (gh[j] - meanGh - xhat[j] * meanGhXhat);
        }
    }

    /** {@code sum(v[o + j])} over {@code j < n}, in four partial sums so the additions do not wait on one another. */
    private static double sum(double[] v, int o, int n) {
        double a0 = 0;
        double a1 = 0;
        double a2 = 0;
        double a3 = 0;
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            a0 += v[o + j];
            a1 += v[o + j + 1];
            a2 += v[o + j + 2];
            a3 += v[o + j + 3];
        }
        for (; j < n; j++) {
            a0 += v[o + j];
        }
        return (a0 + a1) + (a2 + a3);
    }

    /** {@code sum((v[o + j] - m)^2)} over {@code j < n}, in four partial sums. */
    private static double squaredDeviations(double[] v, int o, int n, double m) {
        double a0 = 0;
        double a1 = 0;
        double a2 = 0;
        double a3 = 0;
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            double d0 = v[o + j] - m;
            double d1 = v[o + j + 1] - m;
            double d2 = v[o + j + 2] - m;
            double d3 = v[o + j + 3] - m;
            a0 += d0 * d0;
            a1 += d1 * d1;
            a2 += d2 * d2;
            a3 += d3 * d3;
        }
        for (; j < n; j++) {
            double d = v[o + j] - m;
            a0 += d * d;
        }
        return (a0 + a1) + (a2 + a3);
    }

    /** {@code sum(a[j] b[j])} over {@code j < n} in four partial sums. */
    private static double dot(double[] a, double[] b, int n) {
        double a0 = 0;
        double a1 = 0;
        double a2 = 0;
        double a3 = 0;
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            a0 += a[j] * b[j];
            a1 += a[j + 1] * b[j + 1];
            a2 += a[j + 2] * b[j + 2];
            a3 += a[j + 3] * b[j + 3];
        }
        for (; j < n; j++) {
            a0 += a[j] * b[j];
        }
        return (a0 + a1) + (a2 + a3);
    }
}

package dev.nn4j.core.kernel;

/**
 * Batch norm's float32 loops, reading and writing float arrays directly (statistics still accumulate in double):
 * for a layer of a convolutional network the activations are large, and converting them to double and back would
 * cost three extra passes over memory. The float64 path is {@link Norms}'s.
 */
final class BatchNormFloat {
    private BatchNormFloat() {
    }

    static Storage[] forward(Storage x, Storage w, Storage b, Storage runningMean, Storage runningVar,
                             boolean training, double momentum, double eps) {
        long[] s = x.shape();
        int n = (int) s[0];
        int c = (int) s[1];
        int inner = (int) (x.size() / Math.max(1, (long) n * c));
        float[] xv = x.floats();
        double[] mean = new double[c];
        double[] invstd = new double[c];
        Norms.statistics(n * inner, eps, training, runningMean, runningVar, momentum, mean, invstd,
                new Norms.ChannelSums() {
                    @Override
                    public double sum(int ch) {
                        double sum = 0;
                        for (int i = 0; i < n; i++) {
                            sum += BatchNormFloat.sum(xv, (i * c + ch) * inner, inner);
                        }
                        return sum;
                    }

                    @Override
                    public double squaredDeviations(int ch, double m) {
                        double sq = 0;
                        for (int i = 0; i < n; i++) {
                            sq += BatchNormFloat.squaredDeviations(xv, (i * c + ch) * inner, inner, m);
                        }
                        return sq;
                    }
                });
        double[] wv = w == null ? null : w.doubles();
        double[] bv = b == null ? null : b.doubles();
        float[] y = new float[xv.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                double sc = invstd[ch] * (wv == null ? 1 : wv[ch]);
                float scale = (float) sc;
                float shift = (float) ((bv == null ? 0 : bv[ch]) - mean[ch] * sc);
                for (int k = 0, o = (i * c + ch) * inner; k < inner; k++) {
                    y[o + k] = xv[o + k] * scale + shift;
                }
            }
        }
        long[] cs = {c};
        return new Storage[] {Storage.ofFloats(y, s), Storage.ofDoubles(mean, cs), Storage.ofDoubles(invstd, cs)};
    }

    static Storage[] backward(Storage g, Storage x, Storage w, Storage mean, Storage invstd, boolean training,
                              boolean needX, boolean needW, boolean needB) {
        long[] s = x.shape();
        int n = (int) s[0];
        int c = (int) s[1];
        int inner = (int) (x.size() / Math.max(1, (long) n * c));
        int count = n * inner;
        float[] gv = g.floats();
        float[] xv = x.floats();
        double[] mv = mean.doubles();
        double[] iv = invstd.doubles();
        double[] wv = w == null ? null : w.doubles();
        float[] gx = needX ? new float[xv.length] : null;
        float[] gw = needW ? new float[c] : null;
        float[] gb = needB ? new float[c] : null;
        for (int ch = 0; ch < c; ch++) {
            double sumG = 0;
            double sumGX = 0;
            for (int i = 0; i < n; i++) {
                int o = (i * c + ch) * inner;
                sumG += sum(gv, o, inner);
                sumGX += dot(gv, xv, o, inner);
            }
            // sum(g xhat) = invstd (sum(g x) - mean sum(g))
            double sumGXhat = iv[ch] * (sumGX - mv[ch] * sumG);
            if (gw != null) {
                gw[ch] = (float) sumGXhat;
            }
            if (gb != null) {
                gb[ch] = (float) sumG;
            }
            if (gx != null) {
                double scale = (wv == null ? 1 : wv[ch]) * iv[ch];
                if (training) {
                    // gx = scale (g - sumG / count - xhat sumGXhat / count), xhat = (x - mean) invstd
                    double a = scale * iv[ch] * sumGXhat / count;
                    float gScale = (float) scale;
                    float xScale = (float) -a;
                    float shift = (float) (a * mv[ch] - scale * sumG / count);
                    for (int i = 0; i < n; i++) {
                        for (int k = 0, o = (i * c + ch) * inner; k < inner; k++) {
                            gx[o + k] = gv[o + k] * gScale + xv[o + k] * xScale + shift;
                        }
                    }
                } else {
                    float gScale = (float) scale;
                    for (int i = 0; i < n; i++) {
                        for (int k = 0, o = (i * c + ch) * inner; k < inner; k++) {
                            gx[o + k] = gv[o + k] * gScale;
                        }
                    }
                }
            }
        }
        long[] cs = {c};
        return new Storage[] {gx == null ? null : Storage.ofFloats(gx, s),
            gw == null ? null : Storage.owning(toDouble(gw), cs, w.type()), gb == null ? null : Storage.ofFloats(gb, cs)};
    }

    /*
     * The reductions below keep four independent double accumulators: one running sum is a chain of dependent
     * additions the CPU cannot overlap (and the JIT may not reorder), four are about four times faster.
     */

    private static double sum(float[] v, int from, int len) {
        double a = 0;
        double b = 0;
        double c = 0;
        double d = 0;
        int i = from;
        for (int end = from + (len & ~3); i < end; i += 4) {
            a += v[i];
            b += v[i + 1];
            c += v[i + 2];
            d += v[i + 3];
        }
        for (int end = from + len; i < end; i++) {
            a += v[i];
        }
        return (a + b) + (c + d);
    }

    private static double squaredDeviations(float[] v, int from, int len, double m) {
        double a = 0;
        double b = 0;
        double c = 0;
        double d = 0;
        int i = from;
        for (int end = from + (len & ~3); i < end; i += 4) {
            double p = v[i] - m;
            double q = v[i + 1] - m;
            double r = v[i + 2] - m;
            double s = v[i + 3] - m;
            a += p * p;
            b += q * q;
            c += r * r;
            d += s * s;
        }
        for (int end = from + len; i < end; i++) {
            double p = v[i] - m;
            a += p * p;
        }
        return (a + b) + (c + d);
    }

    private static double dot(float[] u, float[] v, int from, int len) {
        double a = 0;
        double b = 0;
        double c = 0;
        double d = 0;
        int i = from;
        for (int end = from + (len & ~3); i < end; i += 4) {
            a += (double) u[i] * v[i];
            b += (double) u[i + 1] * v[i + 1];
            c += (double) u[i + 2] * v[i + 2];
            d += (double) u[i + 3] * v[i + 3];
        }
        for (int end = from + len; i < end; i++) {
            a += (double) u[i] * v[i];
        }
        return (a + b) + (c + d);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}

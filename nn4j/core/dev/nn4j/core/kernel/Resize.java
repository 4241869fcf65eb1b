package dev.nn4j.core.kernel;

/**
 * Resizing the last two dimensions by integer factors, nearest or bilinear: each output value is a weighted sum of
 * at most two input positions per dimension, found through one table per dimension; the backward spreads each
 * output gradient back with the same weights. Internal. PyTorch: {@code upsample_nearest2d},
 * {@code upsample_bilinear2d}.
 */
public final class Resize {
    private Resize() {
    }

    /** Per output index of one dimension: the two input indices and the second one's weight. */
    private record Axis(int[] lo, int[] hi, double[] w) {
    }

    private static Axis axis(int in, int scale, boolean bilinear, boolean alignCorners) {
        int out = in * scale;
        int[] lo = new int[out];
        int[] hi = new int[out];
        double[] w = new double[out];
        for (int o = 0; o < out; o++) {
            if (!bilinear) {
                lo[o] = Math.min((int) Math.floor(o * (1.0 / scale)), in - 1);
                hi[o] = lo[o];
                continue;
            }
            double src = alignCorners ? (out > 1 ? o * (double) (in - 1) / (out - 1) : 0)
                    : Math.max((o + 0.5) / scale - 0.5, 0);
            int i0 = Math.min((int) Math.floor(src), in - 1);
            lo[o] = i0;
            hi[o] = Math.min(i0 + 1, in - 1);
            w[o] = src - i0;
        }
        return new Axis(lo, hi, w);
    }

    /** {@code x} ({@code [N, C, H, W]}) resized to {@code [N, C, H sh, W sw]}. */
    public static Storage upsample(Storage x, int sh, int sw, boolean bilinear, boolean alignCorners) {
        long[] s = x.shape();
        double[] out = new double[(int) (s[0] * s[1] * s[2] * sh * s[3] * sw)];
        walk(s, sh, sw, bilinear, alignCorners, x.doubles(), out, false);
        return Storage.owning(out, new long[] {s[0], s[1], s[2] * sh, s[3] * sw}, x.type());
    }

    /** {@link #upsample}'s backward: each output gradient spread over the inputs it read, with their weights. */
    public static Storage upsampleBackward(Storage g, long[] inputShape, int sh, int sw, boolean bilinear,
                                           boolean alignCorners) {
        double[] gx = new double[(int) (inputShape[0] * inputShape[1] * inputShape[2] * inputShape[3])];
        walk(inputShape, sh, sw, bilinear, alignCorners, gx, g.doubles(), true);
        return Storage.owning(gx, inputShape, g.type());
    }

    /**
     * Visits every output position with its four input positions and weights: forward, {@code out} gets the
     * weighted sum of {@code in}; backward, each {@code out} value (the output gradient) is added back into
     * {@code in} (the input gradient) with the same weights.
     */
    private static void walk(long[] inputShape, int sh, int sw, boolean bilinear, boolean alignCorners, double[] in,
                             double[] out, boolean backward) {
        int planes = (int) (inputShape[0] * inputShape[1]);
        int h = (int) inputShape[2];
        int w = (int) inputShape[3];
        Axis ay = axis(h, sh, bilinear, alignCorners);
        Axis ax = axis(w, sw, bilinear, alignCorners);
        int oh = h * sh;
        int ow = w * sw;
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                double wy = ay.w()[oy];
                int r0 = base + ay.lo()[oy] * w;
                int r1 = base + ay.hi()[oy] * w;
                for (int ox = 0; ox < ow; ox++) {
                    double wx = ax.w()[ox];
                    int c0 = ax.lo()[ox];
                    int c1 = ax.hi()[ox];
                    int o = (p * oh + oy) * ow + ox;
                    if (backward) {
                        double v = out[o];
                        in[r0 + c0] += (1 - wy) * (1 - wx) * v;
                        in[r0 + c1] += (1 - wy) * wx * v;
                        in[r1 + c0] += wy * (1 - wx) * v;
                        in[r1 + c1] += wy * wx * v;
                    } else {
                        out[o] = (1 - wy) * ((1 - wx) * in[r0 + c0] + wx * in[r0 + c1])
                                + wy * ((1 - wx) * in[r1 + c0] + wx * in[r1 + c1]);
                    }
                }
            }
        }
    }
}

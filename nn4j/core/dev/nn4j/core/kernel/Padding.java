package dev.nn4j.core.kernel;

import dev.nn4j.core.Shapes;

/**
 * Padding of the last dimensions, PyTorch's four modes: every output element reads one input element (or the
 * constant), found through one index map per padded dimension; the backward adds each output gradient to the
 * element it read. Internal.
 */
public final class Padding {
    private Padding() {
    }

    /** PyTorch's modes: {@code constant}, {@code reflect} (mirror, edge not repeated), {@code replicate}, {@code circular}. */
    public enum Mode { CONSTANT, REFLECT, REPLICATE, CIRCULAR }

    /**
     * The output shape: dimension {@code rank - 1 - k} grows by {@code pad[2k] + pad[2k + 1]} (PyTorch's order: the
     * last dimension's before and after first).
     */
    public static long[] outShape(long[] shape, int[] pad) {
        long[] out = shape.clone();
        for (int k = 0; k < pad.length / 2; k++) {
            out[shape.length - 1 - k] += pad[2 * k] + pad[2 * k + 1];
        }
        return out;
    }

    /** For each output index of one dimension of size {@code n}, the input index it reads, or -1 for the constant. */
    private static int[] map(int n, int before, int after, Mode mode) {
        int[] m = new int[n + before + after];
        for (int o = 0; o < m.length; o++) {
            int i = o - before;
            m[o] = switch (mode) {
                case CONSTANT -> i >= 0 && i < n ? i : -1;
                case REFLECT -> i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
                case REPLICATE -> Math.min(Math.max(i, 0), n - 1);
                case CIRCULAR -> Math.floorMod(i, n);
            };
        }
        return m;
    }

    /** For every output element, the flat input position it reads, or -1. */
    private static int[] sources(long[] shape, int[] pad, Mode mode) {
        int r = shape.length;
        long[] out = outShape(shape, pad);
        int[][] maps = new int[r][];
        for (int d = 0; d < r; d++) {
            int k = r - 1 - d;
            maps[d] = k < pad.length / 2 ? map((int) shape[d], pad[2 * k], pad[2 * k + 1], mode)
                    : map((int) shape[d], 0, 0, Mode.CONSTANT);
        }
        int[] stride = new int[r];
        for (int d = r - 1, s = 1; d >= 0; d--) {
            stride[d] = s;
            s *= (int) shape[d];
        }
        int total = Math.toIntExact(Shapes.numel(out));
        int[] src = new int[total];
        int[] counter = new int[r];
        for (int o = 0; o < total; o++) {
            int at = 0;
            for (int d = 0; d < r && at >= 0; d++) {
                int i = maps[d][counter[d]];
                at = i < 0 ? -1 : at + i * stride[d];
            }
            src[o] = at;
            for (int d = r - 1; d >= 0; d--) {
                if (++counter[d] < out[d]) {
                    break;
                }
                counter[d] = 0;
            }
        }
        return src;
    }

    /** {@code x} padded by {@code pad} in {@code mode} ({@code value} for the constant mode). */
    public static Storage pad(Storage x, int[] pad, Mode mode, double value) {
        int[] src = sources(x.shape(), pad, mode);
        double[] in = x.doubles();
        double[] out = new double[src.length];
        for (int o = 0; o < out.length; o++) {
            out[o] = src[o] < 0 ? value : in[src[o]];
        }
        return Storage.owning(out, outShape(x.shape(), pad), x.type());
    }

    /** Padding's backward: each output gradient added to the input element it read. */
    public static Storage padBackward(Storage g, long[] inputShape, int[] pad, Mode mode) {
        int[] src = sources(inputShape, pad, mode);
        double[] gv = g.doubles();
        double[] gx = new double[Math.toIntExact(Shapes.numel(inputShape))];
        for (int o = 0; o < src.length; o++) {
            if (src[o] >= 0) {
                gx[src[o]] += gv[o];
            }
        }
        return Storage.owning(gx, inputShape, g.type());
    }
}

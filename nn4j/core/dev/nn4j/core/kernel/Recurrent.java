package dev.nn4j.core.kernel;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The LSTM cell as one fused loop, forward and backward: the gates' sum, their four activations, the new cell and
 * hidden states, where composing recorded ops would make a dozen arrays per time step. Internal. Computed in
 * double, rounded once to the input's type.
 */
public final class Recurrent {
    private Recurrent() {
    }

    /**
     * One step: {@code gates = xg + hg} ({@code [B, 4H]}, order i, f, g, o), {@code c' = sig(f) c + sig(i) tanh(g)},
     * {@code h = sig(o) tanh(c')}. Returns {out [B, 2H] = [h, c'], act [B, 4H] = the four activations (float64)}.
     */
    public static Storage[] lstmCell(Storage xg, Storage hg, Storage c) {
        int b = (int) c.shape()[0];
        int h = (int) c.shape()[1];
        double[] x = xg.doubles();
        double[] y = hg.doubles();
        double[] cv = c.doubles();
        double[] out = new double[b * 2 * h];
        double[] act = new double[b * 4 * h];
        boolean fast = c.type() == DataType.FLOAT;
        for (int r = 0; r < b; r++) {
            int g0 = r * 4 * h;
            for (int j = 0; j < h; j++) {
                double i = sigmoid(x[g0 + j] + y[g0 + j]);
                double f = sigmoid(x[g0 + h + j] + y[g0 + h + j]);
                double gg = tanh(x[g0 + 2 * h + j] + y[g0 + 2 * h + j], fast);
                double o = sigmoid(x[g0 + 3 * h + j] + y[g0 + 3 * h + j]);
                double c2 = f * cv[r * h + j] + i * gg;
                out[r * 2 * h + j] = o * tanh(c2, fast);
                out[r * 2 * h + h + j] = c2;
                act[g0 + j] = i;
                act[g0 + h + j] = f;
                act[g0 + 2 * h + j] = gg;
                act[g0 + 3 * h + j] = o;
            }
        }
        return new Storage[] {Storage.owning(out, new long[] {b, 2L * h}, c.type()),
            Storage.ofDoubles(act, new long[] {b, 4L * h})};
    }

    /**
     * The step's backward for {@code g = [dh, dc']}: {dGates [B, 4H] (the gradient of both {@code xg} and
     * {@code hg}), dc [B, H]}, from the saved activations, the previous cell state and the step's output.
     */
    public static Storage[] lstmCellBackward(Storage g, Storage act, Storage c, Storage out) {
        int b = (int) c.shape()[0];
        int h = (int) c.shape()[1];
        double[] gv = g.doubles();
        double[] a = act.doubles();
        double[] cv = c.doubles();
        double[] ov = out.doubles();
        double[] dGates = new double[b * 4 * h];
        double[] dc = new double[b * h];
        boolean fast = g.type() == DataType.FLOAT;
        for (int r = 0; r < b; r++) {
            int g0 = r * 4 * h;
            for (int j = 0; j < h; j++) {
                double i = a[g0 + j];
                double f = a[g0 + h + j];
                double gg = a[g0 + 2 * h + j];
                double o = a[g0 + 3 * h + j];
                double th = tanh(ov[r * 2 * h + h + j], fast);
                double dh = gv[r * 2 * h + j];
                double dc2 = gv[r * 2 * h + h + j] + dh * o * (1 - th * th);
                dGates[g0 + j] = dc2 * gg * i * (1 - i);
                dGates[g0 + h + j] = dc2 * cv[r * h + j] * f * (1 - f);
                dGates[g0 + 2 * h + j] = dc2 * i * (1 - gg * gg);
                dGates[g0 + 3 * h + j] = dh * th * o * (1 - o);
                dc[r * h + j] = dc2 * f;
            }
        }
        DataType t = g.type();
        return new Storage[] {Storage.owning(dGates, new long[] {b, 4L * h}, t),
            Storage.owning(dc, new long[] {b, h}, t)};
    }

    /**
     * tanh: for float32 results through one {@code Math.exp} (an intrinsic; {@code Math.tanh} is not and costs
     * several times more), exact enough for float32 (see {@link Elementwise#tanh}); {@code Math.tanh} for float64.
     */
    private static double tanh(double v, boolean fast) {
        if (!fast) {
            return Math.tanh(v);
        }
        double e = Math.exp(-2 * Math.abs(v));
        return Math.copySign((1 - e) / (1 + e), v);
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }
}

package dev.nn4j.core.kernel;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The LSTM cell as one fused loop, forward and backward: the gates' sum, their four activations, the new cell and
 * hidden states, where composing recorded ops would make a dozen arrays per time step. Internal. Float64 inputs
 * in double; float32 inputs in float32, as PyTorch computes them.
 */
public final class Recurrent {
    private Recurrent() {
    }

    /**
     * One step: {@code gates = xg + hg} ({@code [B, 4H]}, order i, f, g, o), {@code c' = sig(f) c + sig(i) tanh(g)},
     * {@code h = sig(o) tanh(c')}. Returns {out [B, 2H] = [h, c'], act = what the backward reads: the four activations
     * (float64, {@code [B, 4H]}; for float32 inputs float32 {@code [B, 5H]} with {@code tanh(c')})}.
     */
    public static Storage[] lstmCell(Storage xg, Storage hg, Storage c) {
        int b = (int) c.shape()[0];
        int h = (int) c.shape()[1];
        if (c.type() == DataType.FLOAT && xg.type() == DataType.FLOAT && hg.type() == DataType.FLOAT) {
            return lstmCellFloats(xg.floats(), hg.floats(), c.floats(), b, h);
        }
        double[] x = xg.doubles();
        double[] y = hg.doubles();
        double[] cv = c.doubles();
        double[] out = new double[b * 2 * h];
        double[] act = new double[b * 4 * h];
        boolean fast = c.type() == DataType.FLOAT;
        for (int r = 0; r < b; r++) {
            int g0 = r * 4 * h;
            for (int j = 0; j < h; j++) {
                double i = FloatMath.Scalar.sigmoid(x[g0 + j] + y[g0 + j]);
                double f = FloatMath.Scalar.sigmoid(x[g0 + h + j] + y[g0 + h + j]);
                double gg = tanh(x[g0 + 2 * h + j] + y[g0 + 2 * h + j], fast);
                double o = FloatMath.Scalar.sigmoid(x[g0 + 3 * h + j] + y[g0 + 3 * h + j]);
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
        if (act.shape()[1] == 5L * h) { // the float32 forward's layout, whatever the gradient's type
            return lstmCellBackwardFloats(g.floats(), act.floats(), c.floats(), b, h);
        }
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
     * {@link #lstmCell} for float32, in float32 as PyTorch's CPU kernel computes it: each row's gates summed, then
     * activated a gate at a time by {@link FloatMath} (vectorized where the JVM allows), and the activations kept
     * with {@code tanh(c')} behind them ({@code [B, 5H]}), so the backward neither converts nor recomputes.
     */
    private static Storage[] lstmCellFloats(float[] x, float[] y, float[] cv, int b, int h) {
        float[] out = new float[b * 2 * h];
        float[] act = new float[b * 5 * h];
        FloatMath math = FloatMath.get();
        for (int r = 0; r < b; r++) {
            cellRow(x, r * 4 * h, y, r * 4 * h, cv, r * h, act, r * 5 * h, out, r * 2 * h, h, math);
        }
        return new Storage[] {Storage.ofFloats(out, new long[] {b, 2L * h}),
            Storage.ofFloats(act, new long[] {b, 5L * h})};
    }

    /**
     * One row of the float32 cell: gates {@code x[xo..] + y[yo..]} ({@code 4H}), previous cell state {@code cv[co..]};
     * writes the activations and {@code tanh(c')} to {@code act[ao..]} ({@code 5H}) and {@code [h, c']} to
     * {@code out[oo..]} ({@code 2H}).
     */
    static void cellRow(float[] x, int xo, float[] y, int yo, float[] cv, int co, float[] act, int ao,
                                float[] out, int oo, int h, FloatMath math) {
        math.lstmCellRow(x, xo, y, yo, cv, co, act, ao, out, oo, h);
    }

    private static Storage[] lstmCellBackwardFloats(float[] gv, float[] a, float[] cv, int b, int h) {
        float[] dGates = new float[b * 4 * h];
        float[] dc = new float[b * h];
        for (int r = 0; r < b; r++) {
            cellRowBackward(gv, r * 2 * h, null, 0, a, r * 5 * h, cv, r * h, dGates, r * 4 * h, dc, r * h, h);
        }
        return new Storage[] {Storage.ofFloats(dGates, new long[] {b, 4L * h}),
            Storage.ofFloats(dc, new long[] {b, h})};
    }

    /**
     * One row of the float32 cell's backward: {@code [dh, dc']} at {@code gv[go..]}, plus {@code carry[ca..]} (the
     * gradient reaching {@code [h, c']} from the next step, {@code 2H}; may be null); activations {@code a[ao..]},
     * previous cell state {@code cv[co..]}. Writes the gates' gradient to {@code dGates[dgo..]} and the previous cell
     * state's to {@code dc[dco..]}, which may be where {@code carry}'s cell half was read.
     */
    static void cellRowBackward(float[] gv, int go, float[] carry, int ca, float[] a, int ao, float[] cv,
                                int co, float[] dGates, int dgo, float[] dc, int dco, int h) {
        FloatMath.get().lstmCellBackwardRow(gv, go, carry, ca, a, ao, cv, co, dGates, dgo, dc, dco, h);
    }

    /** tanh: {@code Math.tanh} for float64 results, the cheaper form exact to float32 otherwise. */
    private static double tanh(double v, boolean fast) {
        return fast ? FloatMath.Scalar.tanh(v) : Math.tanh(v);
    }
}

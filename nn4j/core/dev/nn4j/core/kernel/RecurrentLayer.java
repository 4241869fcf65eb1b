package dev.nn4j.core.kernel;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A whole LSTM layer in one direction, forward and backward through time, where recording each step's product and
 * cell would make a dozen arrays and a graph node per step. Internal.
 *
 * <p>Layout: the input projections of the whole sequence {@code proj} ({@code [T, B, 4H]}, computed by one gemm
 * before), the recurrent weight {@code W_hh} ({@code [4H, H]}) and bias, the initial states ({@code [B, H]}); the
 * output packs each step's {@code [h, c]} ({@code [T, B, 2H]}), at the step's time index. The backward computes each
 * step's gate gradients and {@code dh} of the step before by one gemm per step, and {@code W_hh}'s gradient once,
 * as one gemm over the whole sequence (PyTorch makes one per step and adds them). Float32 on the CPU backend runs
 * on direct buffers with the hidden state kept in one; other dtypes and backends compute in float64.
 */
public final class RecurrentLayer {
    private RecurrentLayer() {
    }

    /** {out [T, B, 2H], activations (what the backward reads)}. {@code bhh} may be null. */
    public static Storage[] lstm(Storage proj, Storage whh, Storage bhh, Storage h0, Storage c0, boolean reverse) {
        if (fast(proj, whh, bhh, h0, c0)) {
            return lstmFloats(proj, whh, bhh, h0, c0, reverse);
        }
        return lstmDoubles(proj, whh, bhh, h0, c0, reverse);
    }

    /** {dProj, dW_hh, db_hh (null without a bias), dh0, dc0} from the gradient {@code g} of the packed output. */
    public static Storage[] lstmBackward(Storage g, Storage out, Storage act, Storage whh, Storage h0, Storage c0,
                                         boolean reverse, boolean bias) {
        if (act.type() == DataType.FLOAT && fast(g, whh, h0, c0)) {
            return lstmBackwardFloats(g, out, act, whh, h0, c0, reverse, bias);
        }
        return lstmBackwardDoubles(g, out, act, whh, h0, c0, reverse, bias);
    }

    private static boolean fast(Storage... s) {
        for (Storage x : s) {
            if (x != null && x.type() != DataType.FLOAT) {
                return false;
            }
        }
        return Blas.directBlas();
    }

    /** The time index of the {@code i}-th step processed. */
    private static int time(int i, int steps, boolean reverse) {
        return reverse ? steps - 1 - i : i;
    }

    // ---------------------------------------------------------------- float32 on direct buffers

    private static Storage[] lstmFloats(Storage proj, Storage whh, Storage bhh, Storage h0, Storage c0,
                                        boolean reverse) {
        long[] ps = proj.shape();
        int steps = (int) ps[0];
        int b = (int) ps[1];
        int g = (int) ps[2];
        int h = g / 4;
        float[] x = proj.floats();
        float[] bias = bhh == null ? null : bhh.floats();
        float[] out = new float[steps * b * 2 * h];
        float[] act = new float[steps * b * 5 * h];
        float[] hh = new float[b * g];
        Scratch sc = Scratch.get();
        FloatBuffer w = sc.stage(0, whh);
        FloatBuffer hb = sc.slot(1, b * h);
        FloatBuffer gb = sc.slot(2, b * g);
        hb.put(0, h0.floats(), 0, b * h);
        float[] cPrev = c0.floats();
        int cAt = 0;
        int cStride = h;
        FloatMath math = FloatMath.get();
        for (int i = 0; i < steps; i++) {
            int t = time(i, steps, reverse);
            if (bias != null) {
                for (int r = 0; r < b; r++) {
                    gb.put(r * g, bias, 0, g);
                }
            }
            // h W_hh^T (+ b_hh), as the per-step linear computes it
            Blas.sgemm(false, true, b, g, h, 1f, hb, h, w, h, bias == null ? 0f : 1f, gb, g);
            gb.get(0, hh);
            for (int r = 0; r < b; r++) {
                int row = t * b + r;
                Recurrent.cellRow(x, row * g, hh, r * g, cPrev, cAt + r * cStride, act, row * 5 * h, out,
                        row * 2 * h, h, math);
                hb.put(r * h, out, row * 2 * h, h);
            }
            cPrev = out;
            cAt = t * b * 2 * h + h;
            cStride = 2 * h;
        }
        long[] os = {steps, b, 2L * h};
        return new Storage[] {Storage.ofFloats(out, os), Storage.ofFloats(act, new long[] {steps, b, 5L * h})};
    }

    private static Storage[] lstmBackwardFloats(Storage grad, Storage outS, Storage actS, Storage whh, Storage h0,
                                                Storage c0, boolean reverse, boolean withBias) {
        long[] os = outS.shape();
        int steps = (int) os[0];
        int b = (int) os[1];
        int h = (int) os[2] / 2;
        int g = 4 * h;
        float[] gv = grad.floats();
        float[] out = outS.floats();
        float[] a = actS.floats();
        float[] c0v = c0.floats();
        float[] dGates = new float[steps * b * g];
        float[] carry = new float[b * 2 * h]; // per row [dh, dc] reaching the step from the one after it
        float[] dh = new float[b * h];
        Scratch sc = Scratch.get();
        FloatBuffer w = sc.stage(0, whh);
        FloatBuffer dgb = sc.slot(1, b * g);
        FloatBuffer dhb = sc.slot(2, b * h);
        for (int i = steps - 1; i >= 0; i--) {
            int t = time(i, steps, reverse);
            int prev = i == 0 ? -1 : time(i - 1, steps, reverse);
            for (int r = 0; r < b; r++) {
                int row = t * b + r;
                float[] cv = prev < 0 ? c0v : out;
                int co = prev < 0 ? r * h : (prev * b + r) * 2 * h + h;
                Recurrent.cellRowBackward(gv, row * 2 * h, carry, r * 2 * h, a, row * 5 * h, cv, co, dGates, row * g,
                        carry, r * 2 * h + h, h);
            }
            // dh of the step before: dGates W_hh
            dgb.put(0, dGates, t * b * g, b * g);
            Blas.sgemm(false, false, b, h, g, 1f, dgb, g, w, h, 0f, dhb, h);
            dhb.get(0, dh);
            for (int r = 0; r < b; r++) {
                System.arraycopy(dh, r * h, carry, r * 2 * h, h);
            }
        }
        // dW_hh = sum over steps of dGates_t^T h_prev(t): the steps after the first read the outputs, one gemm
        FloatBuffer dg = sc.slot(3, dGates.length);
        dg.put(0, dGates);
        FloatBuffer hs = sc.slot(4, out.length);
        hs.put(0, out);
        FloatBuffer dw = sc.slot(5, g * h);
        int first = time(0, steps, reverse);
        int rest = (steps - 1) * b;
        float beta = 0f;
        if (rest > 0) {
            // forward: dGates[1..] with h[0..T-2]; reverse: dGates[0..T-2] with h[1..]
            int gAt = reverse ? 0 : b * g;
            int hAt = reverse ? b * 2 * h : 0;
            Blas.sgemm(true, false, g, h, rest, 1f, dg.slice(gAt, rest * g), g, hs.slice(hAt, (rest - 1) * 2 * h + h),
                    2 * h, 0f, dw, h);
            beta = 1f;
        }
        FloatBuffer h0b = sc.slot(6, b * h);
        h0b.put(0, h0.floats(), 0, b * h);
        Blas.sgemm(true, false, g, h, b, 1f, dg.slice(first * b * g, b * g), g, h0b, h, beta, dw, h);
        float[] dW = new float[g * h];
        dw.get(0, dW);
        float[] dh0 = new float[b * h];
        float[] dc0 = new float[b * h];
        for (int r = 0; r < b; r++) {
            System.arraycopy(carry, r * 2 * h, dh0, r * h, h);
            System.arraycopy(carry, r * 2 * h + h, dc0, r * h, h);
        }
        long[] state = {b, h};
        return new Storage[] {Storage.ofFloats(dGates, new long[] {steps, b, g}),
            Storage.ofFloats(dW, new long[] {g, h}), withBias ? columnSums(dGates, steps * b, g) : null,
            Storage.ofFloats(dh0, state), Storage.ofFloats(dc0, state)};
    }

    /** The sums of {@code x}'s columns ({@code [rows, cols]}), in double, as float32. */
    private static Storage columnSums(float[] x, int rows, int cols) {
        double[] acc = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                acc[j] += x[r * cols + j];
            }
        }
        float[] out = new float[cols];
        for (int j = 0; j < cols; j++) {
            out[j] = (float) acc[j];
        }
        return Storage.ofFloats(out, new long[] {cols});
    }

    // ---------------------------------------------------------------- other dtypes: the cell's own kernels per step

    private static Storage[] lstmDoubles(Storage proj, Storage whh, Storage bhh, Storage h0, Storage c0,
                                         boolean reverse) {
        long[] ps = proj.shape();
        int steps = (int) ps[0];
        int b = (int) ps[1];
        int g = (int) ps[2];
        int h = g / 4;
        // in float64 whatever the dtype, so that the activations have the float64 cell's layout
        DataType type = DataType.DOUBLE;
        double[] x = proj.doubles();
        double[] out = new double[steps * b * 2 * h];
        double[] act = new double[steps * b * g];
        Storage hPrev = h0;
        Storage cPrev = c0;
        for (int i = 0; i < steps; i++) {
            int t = time(i, steps, reverse);
            Storage hh = Blas.gemmInto(hPrev.cast(type), whh.cast(type), false, true, b, g, h,
                    bhh == null ? null : bhh.cast(type));
            Storage xt = Storage.owning(java.util.Arrays.copyOfRange(x, t * b * g, (t + 1) * b * g),
                    new long[] {b, g}, type);
            Storage[] r = Recurrent.lstmCell(xt, hh, cPrev.cast(type));
            double[] o = r[0].doubles();
            System.arraycopy(o, 0, out, t * b * 2 * h, b * 2 * h);
            System.arraycopy(r[1].doubles(), 0, act, t * b * g, b * g);
            double[] hv = new double[b * h];
            double[] cv = new double[b * h];
            for (int k = 0; k < b; k++) {
                System.arraycopy(o, k * 2 * h, hv, k * h, h);
                System.arraycopy(o, k * 2 * h + h, cv, k * h, h);
            }
            hPrev = Storage.owning(hv, new long[] {b, h}, type);
            cPrev = Storage.owning(cv, new long[] {b, h}, type);
        }
        return new Storage[] {Storage.owning(out, new long[] {steps, b, 2L * h}, proj.type()),
            Storage.ofDoubles(act, new long[] {steps, b, g})};
    }

    private static Storage[] lstmBackwardDoubles(Storage grad, Storage outS, Storage actS, Storage whh, Storage h0,
                                                 Storage c0, boolean reverse, boolean withBias) {
        long[] os = outS.shape();
        int steps = (int) os[0];
        int b = (int) os[1];
        int h = (int) os[2] / 2;
        int g = 4 * h;
        DataType type = grad.type();
        DataType dbl = DataType.DOUBLE;
        double[] gv = grad.doubles();
        double[] out = outS.doubles();
        double[] a = actS.doubles();
        double[] w = whh.doubles();
        double[] dGates = new double[steps * b * g];
        double[] carry = new double[b * 2 * h];
        double[] dW = new double[g * h];
        double[] h0v = h0.doubles();
        double[] c0v = c0.doubles();
        for (int i = steps - 1; i >= 0; i--) {
            int t = time(i, steps, reverse);
            int prev = i == 0 ? -1 : time(i - 1, steps, reverse);
            double[] gs = new double[b * 2 * h];
            double[] cs = new double[b * h];
            double[] hs = new double[b * h];
            double[] os2 = new double[b * 2 * h];
            for (int r = 0; r < b; r++) {
                for (int j = 0; j < 2 * h; j++) {
                    gs[r * 2 * h + j] = gv[(t * b + r) * 2 * h + j] + carry[r * 2 * h + j];
                }
                System.arraycopy(out, (t * b + r) * 2 * h, os2, r * 2 * h, 2 * h);
                if (prev < 0) {
                    System.arraycopy(c0v, r * h, cs, r * h, h);
                    System.arraycopy(h0v, r * h, hs, r * h, h);
                } else {
                    System.arraycopy(out, (prev * b + r) * 2 * h + h, cs, r * h, h);
                    System.arraycopy(out, (prev * b + r) * 2 * h, hs, r * h, h);
                }
            }
            long[] st = {b, h};
            Storage[] r = Recurrent.lstmCellBackward(Storage.owning(gs, new long[] {b, 2L * h}, dbl),
                    Storage.ofDoubles(java.util.Arrays.copyOfRange(a, t * b * g, (t + 1) * b * g), new long[] {b, g}),
                    Storage.owning(cs, st, dbl), Storage.owning(os2, new long[] {b, 2L * h}, dbl));
            double[] dg = r[0].doubles();
            System.arraycopy(dg, 0, dGates, t * b * g, b * g);
            double[] dh = new double[b * h];
            Blas.gemm(false, false, b, h, g, dg, 0, g, w, 0, h, dh, 0, h);
            double[] dwStep = new double[g * h];
            Blas.gemm(true, false, g, h, b, dg, 0, g, hs, 0, h, dwStep, 0, h);
            for (int k = 0; k < dW.length; k++) {
                dW[k] += dwStep[k];
            }
            double[] dc = r[1].doubles();
            for (int k = 0; k < b; k++) {
                System.arraycopy(dh, k * h, carry, k * 2 * h, h);
                System.arraycopy(dc, k * h, carry, k * 2 * h + h, h);
            }
        }
        double[] db = new double[g];
        for (int row = 0; row < steps * b; row++) {
            for (int j = 0; j < g; j++) {
                db[j] += dGates[row * g + j];
            }
        }
        double[] dh0 = new double[b * h];
        double[] dc0 = new double[b * h];
        for (int r = 0; r < b; r++) {
            System.arraycopy(carry, r * 2 * h, dh0, r * h, h);
            System.arraycopy(carry, r * 2 * h + h, dc0, r * h, h);
        }
        long[] state = {b, h};
        return new Storage[] {Storage.owning(dGates, new long[] {steps, b, g}, type),
            Storage.owning(dW, new long[] {g, h}, type), withBias ? Storage.owning(db, new long[] {g}, type) : null,
            Storage.owning(dh0, state, type), Storage.owning(dc0, state, type)};
    }
}

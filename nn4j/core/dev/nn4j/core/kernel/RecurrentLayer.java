package dev.nn4j.core.kernel;

import java.nio.FloatBuffer;
import java.util.Arrays;
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
 *
 * <p>Packed sequences ({@code active} given): at time {@code t} only the first {@code active[t]} rows run (the
 * batch sorted by decreasing length, as PyTorch's {@code PackedSequence} keeps it); the other rows keep their
 * state (a finished sequence) or their initial state (one that starts later, going backwards) and output zeros.
 * The output then has one more slab, {@code [T + 1, B, 2H]}: each row's final {@code [h, c]}.
 */
public final class RecurrentLayer {
    private RecurrentLayer() {
    }

    /**
     * {out [T, B, 2H] (with {@code active}: [T + 1, B, 2H]), activations (what the backward reads)}. {@code bhh} and
     * {@code active} (rows running at each time, non-increasing, the first the batch) may be null.
     */
    public static Storage[] lstm(Storage proj, Storage whh, Storage bhh, Storage h0, Storage c0, boolean reverse,
                                 int[] active) {
        Schedule s = new Schedule(proj.shape(), reverse, active);
        if (fast(proj, whh, bhh, h0, c0)) {
            return lstmFloats(proj, whh, bhh, h0, c0, s);
        }
        return lstmDoubles(proj, whh, bhh, h0, c0, s);
    }

    /** {dProj, dW_hh, db_hh (null without a bias), dh0, dc0} from the gradient {@code g} of the packed output. */
    public static Storage[] lstmBackward(Storage g, Storage out, Storage act, Storage whh, Storage h0, Storage c0,
                                         boolean reverse, boolean bias, int[] active) {
        long[] as = act.shape();
        Schedule s = new Schedule(new long[] {as[0], as[1], 4 * (long) h0.shape()[1]}, reverse, active);
        if (act.type() == DataType.FLOAT && fast(g, whh, h0, c0)) {
            return lstmBackwardFloats(g, out, act, whh, h0, c0, bias, s);
        }
        return lstmBackwardDoubles(g, out, act, whh, h0, c0, bias, s);
    }

    private static boolean fast(Storage... s) {
        for (Storage x : s) {
            if (x != null && x.type() != DataType.FLOAT) {
                return false;
            }
        }
        return Blas.directBlas();
    }

    /** The order the steps run in and which rows each runs. */
    private static final class Schedule {
        final int steps;
        final int b;
        final int h;
        final boolean reverse;
        final int[] active;
        /** Per row, the time of its last step (packed only). */
        private final int[] lastStep;

        Schedule(long[] projShape, boolean reverse, int[] active) {
            this.steps = (int) projShape[0];
            this.b = (int) projShape[1];
            this.h = (int) projShape[2] / 4;
            this.reverse = reverse;
            this.active = active;
            this.lastStep = active == null ? null : new int[b];
            if (active != null && !reverse) {
                // the rows of a non-increasing count: row r runs up to the last time that still has r + 1 rows
                for (int t = 0; t < steps; t++) {
                    for (int r = 0; r < active[t]; r++) {
                        lastStep[r] = t;
                    }
                }
            }
        }

        boolean packed() {
            return active != null;
        }

        /** The time index of the {@code i}-th step processed, or -1 before the first. */
        int time(int i) {
            return i < 0 ? -1 : reverse ? steps - 1 - i : i;
        }

        /** Rows running at time {@code t} (none for -1). */
        int rows(int t) {
            return t < 0 ? 0 : active == null ? b : active[t];
        }

        /** The time of row {@code r}'s last step: its length less one going forwards, 0 going backwards. */
        int last(int r) {
            return reverse ? 0 : lastStep != null ? lastStep[r] : steps - 1;
        }

        /**
         * The first of the rows whose last step is at time {@code t} (they are {@code firstEnding(t) .. rows(t) - 1}):
         * going forwards the rows that do not run at {@code t + 1}; going backwards, at time 0, every row.
         */
        int firstEnding(int t) {
            if (reverse) {
                return t == 0 ? 0 : rows(t);
            }
            return t == steps - 1 ? 0 : rows(t + 1);
        }

        /** The output's shape: one slab per step, and one for the final states when packed. */
        long[] outShape() {
            return new long[] {steps + (packed() ? 1 : 0), b, 2L * h};
        }
    }

    // ---------------------------------------------------------------- float32 on direct buffers

    private static Storage[] lstmFloats(Storage proj, Storage whh, Storage bhh, Storage h0, Storage c0, Schedule s) {
        int b = s.b;
        int h = s.h;
        int g = 4 * h;
        float[] x = proj.floats();
        float[] bias = bhh == null ? null : bhh.floats();
        long[] os = s.outShape();
        float[] out = new float[(int) (os[0] * b * 2 * h)];
        float[] act = new float[s.steps * b * 5 * h];
        float[] hh = new float[b * g];
        float[] c0v = c0.floats();
        Scratch sc = Scratch.get();
        FloatBuffer w = sc.stage(0, whh);
        FloatBuffer hb = sc.slot(1, b * h);
        FloatBuffer gb = sc.slot(2, b * g);
        hb.put(0, h0.floats(), 0, b * h);
        FloatMath math = FloatMath.get();
        for (int i = 0; i < s.steps; i++) {
            int t = s.time(i);
            int prev = s.time(i - 1);
            int m = s.rows(t);
            if (m == 0) {
                continue;
            }
            if (bias != null) {
                for (int r = 0; r < m; r++) {
                    gb.put(r * g, bias, 0, g);
                }
            }
            // h W_hh^T (+ b_hh) for the running rows, as the per-step linear computes it
            Blas.sgemm(false, true, m, g, h, 1f, hb, h, w, h, bias == null ? 0f : 1f, gb, g);
            gb.get(0, hh, 0, m * g);
            for (int r = 0; r < m; r++) {
                int row = t * b + r;
                // the previous cell state: this row's at the step before, or its initial one when it starts here
                boolean cont = r < s.rows(prev);
                Recurrent.cellRow(x, row * g, hh, r * g, cont ? out : c0v, cont ? (prev * b + r) * 2 * h + h : r * h,
                        act, row * 5 * h, out, row * 2 * h, h, math);
                hb.put(r * h, out, row * 2 * h, h);
            }
        }
        if (s.packed()) {
            for (int r = 0; r < b; r++) {
                System.arraycopy(out, (s.last(r) * b + r) * 2 * h, out, (s.steps * b + r) * 2 * h, 2 * h);
            }
        }
        return new Storage[] {Storage.ofFloats(out, os), Storage.ofFloats(act, new long[] {s.steps, b, 5L * h})};
    }

    private static Storage[] lstmBackwardFloats(Storage grad, Storage outS, Storage actS, Storage whh, Storage h0,
                                                Storage c0, boolean withBias, Schedule s) {
        int steps = s.steps;
        int b = s.b;
        int h = s.h;
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
            int t = s.time(i);
            int prev = s.time(i - 1);
            int m = s.rows(t);
            if (s.packed()) {
                // the final states' gradient joins each row at its last step
                for (int r = s.firstEnding(t); r < s.rows(t); r++) {
                    for (int j = 0; j < 2 * h; j++) {
                        carry[r * 2 * h + j] += gv[(steps * b + r) * 2 * h + j];
                    }
                }
            }
            if (m == 0) {
                continue;
            }
            for (int r = 0; r < m; r++) {
                int row = t * b + r;
                boolean cont = r < s.rows(prev);
                Recurrent.cellRowBackward(gv, row * 2 * h, carry, r * 2 * h, a, row * 5 * h, cont ? out : c0v,
                        cont ? (prev * b + r) * 2 * h + h : r * h, dGates, row * g, carry, r * 2 * h + h, h);
            }
            // dh of the step before: dGates W_hh, for the running rows
            dgb.put(0, dGates, t * b * g, m * g);
            Blas.sgemm(false, false, m, h, g, 1f, dgb, g, w, h, 0f, dhb, h);
            dhb.get(0, dh, 0, m * h);
            for (int r = 0; r < m; r++) {
                System.arraycopy(dh, r * h, carry, r * 2 * h, h);
            }
        }
        // dW_hh = sum over steps of dGates_t^T h_prev(t): the steps after the first read the outputs, one gemm (rows
        // that did not run at the step before read zeros there, and their initial state below)
        FloatBuffer dg = sc.slot(3, dGates.length);
        dg.put(0, dGates);
        FloatBuffer hs = sc.slot(4, out.length);
        hs.put(0, out);
        FloatBuffer dw = sc.slot(5, g * h);
        int rest = (steps - 1) * b;
        float beta = 0f;
        if (rest > 0) {
            // forward: dGates[1..] with h[0..T-2]; reverse: dGates[0..T-2] with h[1..]
            int gAt = s.reverse ? 0 : b * g;
            int hAt = s.reverse ? b * 2 * h : 0;
            Blas.sgemm(true, false, g, h, rest, 1f, dg.slice(gAt, rest * g), g, hs.slice(hAt, (rest - 1) * 2 * h + h),
                    2 * h, 0f, dw, h);
            beta = 1f;
        }
        FloatBuffer h0b = sc.slot(6, b * h);
        h0b.put(0, h0.floats(), 0, b * h);
        // the rows that start at each step start from h0
        for (int i = 0; i < steps; i++) {
            int t = s.time(i);
            int from = s.rows(s.time(i - 1));
            int to = s.rows(t);
            if (to > from) {
                Blas.sgemm(true, false, g, h, to - from, 1f, dg.slice((t * b + from) * g, (to - from) * g), g,
                        h0b.slice(from * h, (to - from) * h), h, beta, dw, h);
                beta = 1f;
            }
        }
        float[] dW = new float[g * h];
        if (beta != 0f) { // else no step ran: zeros
            dw.get(0, dW);
        }
        return finish(dGates, dW, carry, withBias, s);
    }

    private static Storage[] finish(float[] dGates, float[] dW, float[] carry, boolean withBias, Schedule s) {
        int b = s.b;
        int h = s.h;
        int g = 4 * h;
        float[] dh0 = new float[b * h];
        float[] dc0 = new float[b * h];
        for (int r = 0; r < b; r++) {
            System.arraycopy(carry, r * 2 * h, dh0, r * h, h);
            System.arraycopy(carry, r * 2 * h + h, dc0, r * h, h);
        }
        long[] state = {b, h};
        return new Storage[] {Storage.ofFloats(dGates, new long[] {s.steps, b, g}),
            Storage.ofFloats(dW, new long[] {g, h}), withBias ? columnSums(dGates, s.steps * b, g) : null,
            Storage.ofFloats(dh0, state), Storage.ofFloats(dc0, state)};
    }

    /** The sums of {@code x}'s columns ({@code [rows, cols]}), in double, as float32. */
    private static Storage columnSums(float[] x, int rows, int cols) {
        double[] acc = new double[cols];
        FloatMath.get().addColumnSums(x, 0, rows, cols, acc, 0);
        float[] out = new float[cols];
        for (int j = 0; j < cols; j++) {
            out[j] = (float) acc[j];
        }
        return Storage.ofFloats(out, new long[] {cols});
    }

    // ---------------------------------------------------------------- other dtypes: the cell's own kernels per step

    private static Storage[] lstmDoubles(Storage proj, Storage whh, Storage bhh, Storage h0, Storage c0, Schedule s) {
        int b = s.b;
        int h = s.h;
        int g = 4 * h;
        // in float64 whatever the dtype, so that the activations have the float64 cell's layout
        DataType dbl = DataType.DOUBLE;
        double[] x = proj.doubles();
        long[] os = s.outShape();
        double[] out = new double[(int) (os[0] * b * 2 * h)];
        double[] act = new double[s.steps * b * g];
        double[] hv = h0.doubles().clone();
        double[] c0v = c0.doubles();
        Storage w = whh.cast(dbl);
        Storage bias = bhh == null ? null : bhh.cast(dbl);
        for (int i = 0; i < s.steps; i++) {
            int t = s.time(i);
            int prev = s.time(i - 1);
            int m = s.rows(t);
            if (m == 0) {
                continue;
            }
            long[] gs = {m, g};
            long[] st = {m, h};
            Storage hh = Blas.gemmInto(Storage.ofDoubles(Arrays.copyOf(hv, m * h), st), w, false, true, m, g, h, bias);
            Storage xt = Storage.ofDoubles(Arrays.copyOfRange(x, t * b * g, (t * b + m) * g), gs);
            double[] cs = new double[m * h];
            for (int r = 0; r < m; r++) {
                boolean cont = r < s.rows(prev);
                System.arraycopy(cont ? out : c0v, cont ? (prev * b + r) * 2 * h + h : r * h, cs, r * h, h);
            }
            Storage[] res = Recurrent.lstmCell(xt, hh, Storage.ofDoubles(cs, st));
            double[] o = res[0].doubles();
            System.arraycopy(o, 0, out, t * b * 2 * h, m * 2 * h);
            System.arraycopy(res[1].doubles(), 0, act, t * b * g, m * g);
            for (int r = 0; r < m; r++) {
                System.arraycopy(o, r * 2 * h, hv, r * h, h);
            }
        }
        if (s.packed()) {
            for (int r = 0; r < b; r++) {
                System.arraycopy(out, (s.last(r) * b + r) * 2 * h, out, (s.steps * b + r) * 2 * h, 2 * h);
            }
        }
        return new Storage[] {Storage.owning(out, os, proj.type()),
            Storage.ofDoubles(act, new long[] {s.steps, b, g})};
    }

    private static Storage[] lstmBackwardDoubles(Storage grad, Storage outS, Storage actS, Storage whh, Storage h0,
                                                 Storage c0, boolean withBias, Schedule s) {
        int steps = s.steps;
        int b = s.b;
        int h = s.h;
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
            int t = s.time(i);
            int prev = s.time(i - 1);
            int m = s.rows(t);
            if (s.packed()) {
                for (int r = s.firstEnding(t); r < s.rows(t); r++) {
                    for (int j = 0; j < 2 * h; j++) {
                        carry[r * 2 * h + j] += gv[(steps * b + r) * 2 * h + j];
                    }
                }
            }
            if (m == 0) {
                continue;
            }
            double[] gs = new double[m * 2 * h];
            double[] cs = new double[m * h];
            double[] hs = new double[m * h];
            double[] os2 = new double[m * 2 * h];
            for (int r = 0; r < m; r++) {
                for (int j = 0; j < 2 * h; j++) {
                    gs[r * 2 * h + j] = gv[(t * b + r) * 2 * h + j] + carry[r * 2 * h + j];
                }
                System.arraycopy(out, (t * b + r) * 2 * h, os2, r * 2 * h, 2 * h);
                boolean cont = r < s.rows(prev);
                System.arraycopy(cont ? out : c0v, cont ? (prev * b + r) * 2 * h + h : r * h, cs, r * h, h);
                System.arraycopy(cont ? out : h0v, cont ? (prev * b + r) * 2 * h : r * h, hs, r * h, h);
            }
            long[] st = {m, h};
            Storage[] res = Recurrent.lstmCellBackward(Storage.ofDoubles(gs, new long[] {m, 2L * h}),
                    Storage.ofDoubles(Arrays.copyOfRange(a, t * b * g, (t * b + m) * g), new long[] {m, g}),
                    Storage.ofDoubles(cs, st), Storage.ofDoubles(os2, new long[] {m, 2L * h}));
            double[] dg = res[0].doubles();
            System.arraycopy(dg, 0, dGates, t * b * g, m * g);
            double[] dh = new double[m * h];
            Blas.gemm(false, false, m, h, g, dg, 0, g, w, 0, h, dh, 0, h);
            double[] dwStep = new double[g * h];
            Blas.gemm(true, false, g, h, m, dg, 0, g, hs, 0, h, dwStep, 0, h);
            for (int k = 0; k < dW.length; k++) {
                dW[k] += dwStep[k];
            }
            double[] dc = res[1].doubles();
            for (int r = 0; r < m; r++) {
                System.arraycopy(dh, r * h, carry, r * 2 * h, h);
                System.arraycopy(dc, r * h, carry, r * 2 * h + h, h);
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

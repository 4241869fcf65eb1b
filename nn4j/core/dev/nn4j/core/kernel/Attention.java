package dev.nn4j.core.kernel;

import dev.nn4j.core.Shapes;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Scaled dot-product attention over heads that lie side by side in the last dimension of their tensors, as the
 * projections of {@code nn.MultiheadAttention} produce them: {@code softmax(Q K^T / sqrt(d) + mask)}, dropout, times
 * {@code V}, for every (batch entry, head). Internal.
 *
 * <p>Why strided: PyTorch reshapes the projections to {@code [N heads, L, d]} and transposes, copying each operand
 * and gradient once or twice. Here every per-head product reads its operand where it lies (BLAS's leading
 * dimension is the tensor's row width) and writes the output, and the gradients of the projections, in place, so
 * no head is ever gathered or scattered. Float32 on the CPU backend runs that way; other dtypes and backends gather
 * each head into a block and compute in float64 (tests and the CUDA fallback, not the hot path).
 */
public final class Attention {
    private Attention() {
    }

    /**
     * Where the operands lie. Query, key and value are operands 0, 1, 2: operand {@code i} is the column block
     * {@code [column[i], column[i] + heads d)} of source tensor {@code source[i]}, shaped {@code [N, rows, width]}
     * when batch first, else {@code [rows, N, width]}; rows are {@code l} for the query, {@code s} for key and value.
     * The output is {@code [N, L, heads d]} (batch first) or {@code [L, N, heads d]}.
     *
     * @param n the batch size
     * @param heads the number of heads
     * @param l the query length
     * @param s the key and value length
     * @param d the width of a head
     * @param batchFirst the layout of the sources and the output
     * @param source for each operand, its source tensor's index
     * @param column for each operand, its first column in that source
     */
    public record Geometry(int n, int heads, int l, int s, int d, boolean batchFirst, int[] source, int[] column) {
        int entries() {
            return n * heads;
        }

        /** No product to compute: no batch entry, query, key or head width. */
        boolean empty() {
            return entries() == 0 || l == 0 || s == 0 || d == 0;
        }

        long[] weightsShape() {
            return new long[] {(long) n * heads, l, s};
        }

        long[] outShape() {
            return batchFirst ? new long[] {n, l, (long) heads * d} : new long[] {l, n, (long) heads * d};
        }

        /** Operand {@code i} within a source whose rows are {@code width} wide. */
        Mat operand(int i, int width) {
            int rows = i == 0 ? l : s;
            return batchFirst ? new Mat(rows * width, d, column[i], width)
                    : new Mat(width, d, column[i], n * width);
        }

        /** The output (or its gradient), rows {@code heads d} wide. */
        Mat output() {
            int e = heads * d;
            return batchFirst ? new Mat(l * e, d, 0, e) : new Mat(e, d, 0, n * e);
        }

        /** The dense {@code [N heads, L, S]} weights. */
        Mat weights() {
            return new Mat(heads * l * s, l * s, 0, s);
        }
    }

    /**
     * One matrix per (batch entry {@code b}, head {@code h}): it starts at
     * {@code base + b perBatch + h perHead} and its rows are {@code ld} apart.
     */
    record Mat(int perBatch, int perHead, int base, int ld) {
        int at(int entry, int heads) {
            return base + entry / heads * perBatch + entry % heads * perHead;
        }
    }

    /**
     * The attention: {@code {output, weights before dropout, dropout noise (null when keep is 1)}}. {@code mask} (may
     * be null) is added to the scores, broadcast from {@code [1 or N heads, 1 or L, S]}.
     */
    public static Storage[] forward(Storage[] sources, Geometry g, Storage mask, double keep) {
        return forward(sources, g, mask, keep, null);
    }

    /**
     * {@link #forward(Storage[], Geometry, Storage, double)} with a given dropout draw {@code kept} (1 where kept, of
     * the weights' shape), for parity with PyTorch's draws; null to draw.
     */
    public static Storage[] forward(Storage[] sources, Geometry g, Storage mask, double keep, Storage kept) {
        DataType type = sources[0].type();
        if (g.empty()) {
            // nothing to attend to (or no one asking): zeros, as the products of empty matrices are (BLAS would
            // refuse the leading dimensions)
            return new Storage[] {Storage.zeros(type, g.outShape()), Storage.zeros(type, g.weightsShape()), null};
        }
        boolean direct = direct(sources);
        // the sources read once for both products
        FloatBuffer[] staged = direct ? stageAll(Scratch.get(), sources) : null;
        double[][] values = direct ? null : doublesOf(sources);
        long[] ws = g.weightsShape();
        double alpha = 1 / Math.sqrt(g.d());
        Storage scores = direct ? scoresFloat(staged, sources, g, (float) alpha)
                : scoresDouble(values, sources, g, alpha, type);
        if (mask != null) {
            scores = Elementwise.binary(Elementwise.BinaryOp.ADD, scores, mask, ws, type);
        }
        Storage p = Reductions.softmax(scores, 2, false);
        Storage noise = keep >= 1 ? null : kept != null ? DropoutMask.of(kept, keep, type)
                : DropoutMask.draw(type, ws, keep);
        Storage dropped = noise == null ? p : Elementwise.binary(Elementwise.BinaryOp.MUL, p, noise, ws, type);
        Storage out = direct ? contextFloat(dropped, staged, sources, g)
                : contextDouble(dropped, values, sources, g, type);
        return new Storage[] {out, p, noise};
    }

    /** The gradients of the sources (in order) from the output's gradient {@code grad}. */
    public static Storage[] backward(Storage grad, Storage[] sources, Storage p, Storage noise, Geometry g) {
        DataType type = sources[0].type();
        if (g.empty()) {
            Storage[] zeros = new Storage[sources.length];
            for (int i = 0; i < zeros.length; i++) {
                zeros[i] = Storage.zeros(type, sources[i].shape());
            }
            return zeros;
        }
        long[] ws = g.weightsShape();
        Storage dropped = noise == null ? p : Elementwise.binary(Elementwise.BinaryOp.MUL, p, noise, ws, type);
        double alpha = 1 / Math.sqrt(g.d());
        if (direct(sources) && grad.type() == DataType.FLOAT) {
            return backwardFloat(grad, sources, p, noise, dropped, g, (float) alpha);
        }
        return backwardDouble(grad, sources, p, noise, dropped, g, alpha, type);
    }

    private static boolean direct(Storage[] sources) {
        for (Storage s : sources) {
            if (s.type() != DataType.FLOAT) {
                return false;
            }
        }
        return Blas.directBlas();
    }

    /** The width of source {@code i}'s rows. */
    private static int width(Storage s) {
        long[] shape = s.shape();
        return (int) shape[shape.length - 1];
    }

    // ---------------------------------------------------------------- float32, strided BLAS on direct buffers

    private static Storage scoresFloat(FloatBuffer[] src, Storage[] sources, Geometry g, float alpha) {
        Scratch sc = Scratch.get();
        int q = g.source()[0];
        int k = g.source()[1];
        float[] out = new float[g.entries() * g.l() * g.s()];
        FloatBuffer c = sc.slot(3, out.length);
        // S_b = alpha Q_b K_b^T
        batched(false, true, g.l(), g.s(), g.d(), alpha, src[q], g.operand(0, width(sources[q])), src[k],
                g.operand(1, width(sources[k])), 0f, c, g.weights(), g);
        c.get(0, out);
        return Storage.ofFloats(out, g.weightsShape());
    }

    private static Storage contextFloat(Storage weights, FloatBuffer[] src, Storage[] sources, Geometry g) {
        Scratch sc = Scratch.get();
        int v = g.source()[2];
        FloatBuffer w = sc.stage(4, weights);
        long[] os = g.outShape();
        float[] out = new float[(int) Shapes.numel(os)];
        FloatBuffer c = sc.slot(5, out.length);
        // O_b = W_b V_b, written where head b's columns lie
        batched(false, false, g.l(), g.d(), g.s(), 1f, w, g.weights(), src[v], g.operand(2, width(sources[v])), 0f,
                c, g.output(), g);
        c.get(0, out);
        return Storage.ofFloats(out, os);
    }

    private static Storage[] backwardFloat(Storage grad, Storage[] sources, Storage p, Storage noise, Storage dropped,
                                           Geometry g, float alpha) {
        Scratch sc = Scratch.get();
        FloatBuffer[] src = stageAll(sc, sources);
        FloatBuffer[] grads = new FloatBuffer[sources.length];
        for (int i = 0; i < sources.length; i++) {
            grads[i] = sc.slot(6 + i, sources[i].size());
            zero(grads[i], sources[i].size());
        }
        Mat[] ops = new Mat[3];
        for (int i = 0; i < 3; i++) {
            ops[i] = g.operand(i, width(sources[g.source()[i]]));
        }
        int q = g.source()[0];
        int k = g.source()[1];
        int v = g.source()[2];
        FloatBuffer go = sc.stage(3, grad);
        long[] ws = g.weightsShape();
        int wn = (int) Shapes.numel(ws);
        // dW_b = dO_b V_b^T, then dV_b += W_b^T dO_b
        FloatBuffer c = sc.slot(4, wn);
        batched(false, true, g.l(), g.s(), g.d(), 1f, go, g.output(), src[v], ops[2], 0f, c, g.weights(), g);
        float[] dw = new float[wn];
        c.get(0, dw);
        FloatBuffer w = sc.stage(5, dropped);
        batched(true, false, g.s(), g.d(), g.l(), 1f, w, g.weights(), go, g.output(), 1f, grads[v], ops[2], g);
        // through dropout and softmax to the scores
        Storage ds = scoresGrad(Storage.ofFloats(dw, ws), p, noise, ws);
        FloatBuffer dsb = sc.stage(4, ds);
        // dQ_b += alpha dS_b K_b, dK_b += alpha dS_b^T Q_b
        batched(false, false, g.l(), g.d(), g.s(), alpha, dsb, g.weights(), src[k], ops[1], 1f, grads[q], ops[0], g);
        batched(true, false, g.s(), g.d(), g.l(), alpha, dsb, g.weights(), src[q], ops[0], 1f, grads[k], ops[1], g);
        Storage[] out = new Storage[sources.length];
        for (int i = 0; i < out.length; i++) {
            float[] a = new float[sources[i].size()];
            grads[i].get(0, a);
            out[i] = Storage.ofFloats(a, sources[i].shape());
        }
        return out;
    }

    /** The scores' gradient from the dropped weights' gradient {@code dw}: through the noise, then softmax. */
    private static Storage scoresGrad(Storage dw, Storage p, Storage noise, long[] ws) {
        Storage dp = noise == null ? dw : Elementwise.binary(Elementwise.BinaryOp.MUL, dw, noise, ws, dw.type());
        return Reductions.softmaxBackward(dp, p, 2, false);
    }

    private static FloatBuffer[] stageAll(Scratch sc, Storage[] sources) {
        FloatBuffer[] out = new FloatBuffer[sources.length];
        for (int i = 0; i < sources.length; i++) {
            out[i] = sc.stage(i, sources[i]);
        }
        return out;
    }

    private static void zero(FloatBuffer b, int n) {
        float[] zeros = Scratch.get().heap(Math.min(n, 1 << 16));
        Arrays.fill(zeros, 0, Math.min(n, zeros.length), 0f);
        for (int i = 0; i < n; i += zeros.length) {
            b.put(i, zeros, 0, Math.min(zeros.length, n - i));
        }
    }

    /** For each (entry, head): {@code C = alpha op(A) op(B) + beta C}, each matrix where its {@link Mat} puts it. */
    private static void batched(boolean ta, boolean tb, int m, int n, int k, float alpha, FloatBuffer a, Mat am,
                                FloatBuffer b, Mat bm, float beta, FloatBuffer c, Mat cm, Geometry g) {
        int aRows = ta ? k : m;
        int aCols = ta ? m : k;
        int bRows = tb ? n : k;
        int bCols = tb ? k : n;
        for (int e = 0; e < g.entries(); e++) {
            // slices from each matrix's first element: BLAS reads a buffer from its start
            Blas.sgemm(ta, tb, m, n, k, alpha, slice(a, am.at(e, g.heads()), aRows, aCols, am.ld()), am.ld(),
                    slice(b, bm.at(e, g.heads()), bRows, bCols, bm.ld()), bm.ld(), beta,
                    slice(c, cm.at(e, g.heads()), m, n, cm.ld()), cm.ld());
        }
    }

    private static FloatBuffer slice(FloatBuffer f, int at, int rows, int cols, int ld) {
        return f.slice(at, rows == 0 ? 0 : (rows - 1) * ld + cols);
    }

    // ---------------------------------------------------------------- float64: each head gathered into a block

    private static Storage scoresDouble(double[][] src, Storage[] sources, Geometry g, double alpha, DataType type) {
        int q = g.source()[0];
        int k = g.source()[1];
        double[] out = new double[g.entries() * g.l() * g.s()];
        gemmBlocks(false, true, g.l(), g.s(), g.d(), alpha, src[q], g.operand(0, width(sources[q])), src[k],
                g.operand(1, width(sources[k])), out, g.weights(), g);
        return Storage.owning(out, g.weightsShape(), type);
    }

    private static Storage contextDouble(Storage weights, double[][] src, Storage[] sources, Geometry g,
                                         DataType type) {
        int v = g.source()[2];
        long[] os = g.outShape();
        double[] out = new double[(int) Shapes.numel(os)];
        gemmBlocks(false, false, g.l(), g.d(), g.s(), 1, weights.doubles(), g.weights(), src[v],
                g.operand(2, width(sources[v])), out, g.output(), g);
        return Storage.owning(out, os, type);
    }

    private static Storage[] backwardDouble(Storage grad, Storage[] sources, Storage p, Storage noise,
                                            Storage dropped, Geometry g, double alpha, DataType type) {
        double[][] src = doublesOf(sources);
        double[][] grads = new double[sources.length][];
        Mat[] ops = new Mat[3];
        for (int i = 0; i < sources.length; i++) {
            grads[i] = new double[sources[i].size()];
        }
        for (int i = 0; i < 3; i++) {
            ops[i] = g.operand(i, width(sources[g.source()[i]]));
        }
        int q = g.source()[0];
        int k = g.source()[1];
        int v = g.source()[2];
        double[] go = grad.doubles();
        long[] ws = g.weightsShape();
        double[] dw = new double[(int) Shapes.numel(ws)];
        gemmBlocks(false, true, g.l(), g.s(), g.d(), 1, go, g.output(), src[v], ops[2], dw, g.weights(), g);
        gemmBlocks(true, false, g.s(), g.d(), g.l(), 1, dropped.doubles(), g.weights(), go, g.output(), grads[v],
                ops[2], g);
        double[] ds = scoresGrad(Storage.ofDoubles(dw, ws), p.cast(DataType.DOUBLE), noise == null ? null
                : noise.cast(DataType.DOUBLE), ws).doubles();
        gemmBlocks(false, false, g.l(), g.d(), g.s(), alpha, ds, g.weights(), src[k], ops[1], grads[q], ops[0], g);
        gemmBlocks(true, false, g.s(), g.d(), g.l(), alpha, ds, g.weights(), src[q], ops[0], grads[k], ops[1], g);
        Storage[] out = new Storage[sources.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Storage.owning(grads[i], sources[i].shape(), type);
        }
        return out;
    }

    private static double[][] doublesOf(Storage[] sources) {
        double[][] out = new double[sources.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = sources[i].doubles();
        }
        return out;
    }

    /**
     * For each (entry, head): {@code C += alpha op(A) op(B)}, the operands gathered into dense blocks and the
     * product by {@link Blas#gemm(boolean, boolean, int, int, int, double[], int, int, double[], int, int, double[],
     * int, int)}.
     */
    private static void gemmBlocks(boolean ta, boolean tb, int m, int n, int k, double alpha, double[] a, Mat am,
                                   double[] b, Mat bm, double[] c, Mat cm, Geometry g) {
        int aRows = ta ? k : m;
        int aCols = ta ? m : k;
        int bRows = tb ? n : k;
        int bCols = tb ? k : n;
        double[] ab = new double[aRows * aCols];
        double[] bb = new double[bRows * bCols];
        double[] cb = new double[m * n];
        for (int e = 0; e < g.entries(); e++) {
            gather(a, am.at(e, g.heads()), am.ld(), aRows, aCols, ab);
            gather(b, bm.at(e, g.heads()), bm.ld(), bRows, bCols, bb);
            Blas.gemm(ta, tb, m, n, k, ab, 0, aCols, bb, 0, bCols, cb, 0, n);
            int at = cm.at(e, g.heads());
            for (int r = 0; r < m; r++) {
                for (int j = 0; j < n; j++) {
                    c[at + r * cm.ld() + j] += alpha * cb[r * n + j];
                }
            }
        }
    }

    private static void gather(double[] x, int at, int ld, int rows, int cols, double[] out) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, at + r * ld, out, r * cols, cols);
        }
    }
}

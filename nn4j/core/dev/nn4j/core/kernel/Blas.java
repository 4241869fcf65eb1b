package dev.nn4j.core.kernel;

import dev.nn4j.core.Shapes;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Matrix products and BLAS level-1 updates: {@code cblas_?gemm} with transpose flags (no transposed copies),
 * reading parameters in place from ND4J's buffers, and {@code cblas_saxpy} for optimizers. Internal. On the CUDA
 * backend, and for other dtypes, ND4J's own gemm runs instead.
 */
public final class Blas {
    /** True when ND4J runs on the CPU backend, whose OpenBLAS we can call directly. */
    private static final boolean DIRECT_BLAS =
            Nd4j.getBackend().getClass().getSimpleName().toLowerCase().contains("cpu");
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private Blas() {
    }

    /**
     * {@code op(a) x op(b)} for 2-D operands, {@code op} transposing when its flag is set; BLAS reads the
     * transposes through its flags, so no transposed copy is made. {@code a} is {@code [m, k]} after op, {@code b}
     * {@code [k, n]} after op.
     */
    public static Storage gemm(Storage a, Storage b, boolean transA, boolean transB) {
        long[] as = a.shape();
        long[] bs = b.shape();
        int m = (int) (transA ? as[1] : as[0]);
        int k = (int) (transA ? as[0] : as[1]);
        int n = (int) (transB ? bs[0] : bs[1]);
        return gemmInto(a, b, transA, transB, m, n, k, null);
    }

    /**
     * {@code op(a) x op(b) + bias} where {@code bias} ({@code [n]}, may be null) is added to every row: PyTorch's
     * addmm, with the bias written into the output first and BLAS accumulating onto it (beta = 1).
     */
    public static Storage gemmInto(Storage a, Storage b, boolean transA, boolean transB, int m, int n, int k,
                                   Storage bias) {
        DataType t = a.type();
        long[] outShape = {m, n};
        if (!DIRECT_BLAS || !a.isFloating() || t != b.type()) {
            INDArray out = Nd4j.create(t, m, n);
            if (m > 0 && n > 0 && k > 0) {
                INDArray a2 = dense(a.nd()).reshape('c', transA ? k : m, transA ? m : k);
                INDArray b2 = dense(b.nd()).reshape('c', transB ? n : k, transB ? k : n);
                Nd4j.gemm(a2, b2, out, transA, transB, 1.0, 0.0);
            }
            if (bias != null) {
                out.addiRowVector(bias.nd());
            }
            return Storage.of(out);
        }
        if (t == DataType.FLOAT) {
            FloatBuffer c = Scratch.get().slot(2, m * n);
            float beta = 0;
            if (bias != null) {
                // the bias's own buffer (a parameter's ND4J data, read in place), not a copy of it
                FloatBuffer bv = bias.floatBuffer();
                for (int r = 0; r < m; r++) {
                    c.put(r * n, bv, 0, n);
                }
                beta = 1;
            }
            if (bias == null) {
                // the scratch holds the last product; BLAS overwrites it (beta = 0) only when it runs
                for (int i = 0; i < m * n && k == 0; i++) {
                    c.put(i, 0f);
                }
            }
            if (m > 0 && n > 0 && k > 0) {
                sgemm(a, b, transA, transB, m, n, k, beta, c);
            }
            float[] out = new float[m * n];
            c.get(0, out);
            return Storage.freshFloats(out, outShape);
        }
        double[] out = new double[m * n];
        double beta = 0;
        if (bias != null) {
            double[] bv = bias.doubles();
            for (int r = 0; r < m; r++) {
                System.arraycopy(bv, 0, out, r * n, n);
            }
            beta = 1;
        }
        if (m > 0 && n > 0 && k > 0) {
            dgemm(a, b, transA, transB, m, n, k, beta, DoubleBuffer.wrap(out));
        }
        return Storage.freshDoubles(out, outShape);
    }

    /**
     * {@code c = op(a) x op(b) + beta * c} by BLAS, {@code c} row-major {@code [m, n]}; heap operands are staged
     * through this thread's direct scratch. The leading dimensions are the operands' as stored (row-major),
     * whatever their nominal rank.
     */
    private static void sgemm(Storage a, Storage b, boolean transA, boolean transB, int m, int n, int k, float beta,
                              FloatBuffer c) {
        Scratch sc = Scratch.get();
        openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, 1f,
                sc.stage(0, a), transA ? m : k, sc.stage(1, b), transB ? k : n, beta, c, n);
    }

    /** As {@link #sgemm} for float64 (operands read through their own buffers). */
    private static void dgemm(Storage a, Storage b, boolean transA, boolean transB, int m, int n, int k, double beta,
                              DoubleBuffer c) {
        openblas_nolapack.cblas_dgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, 1.0,
                a.doubleBuffer(), transA ? m : k, b.doubleBuffer(), transB ? k : n, beta, c, n);
    }

    /** True where BLAS is called directly on host buffers (the CPU backend); elsewhere ND4J's own ops run. */
    public static boolean directBlas() {
        return DIRECT_BLAS;
    }

    /**
     * {@code c = op(a) x op(b)}, or {@code c += op(a) x op(b)} when {@code accumulate}, written by BLAS straight
     * into {@code c}'s buffer ({@code [m, n]}, dense, direct: see {@link GradTarget}); shapes as in
     * {@link #gemmInto}.
     */
    public static void gemmTo(Storage a, Storage b, boolean transA, boolean transB, int m, int n, int k, Storage c,
                              boolean accumulate) {
        if (m * n == 0 && c.size() == 0) {
            return; // nothing to write (an empty layer)
        }
        if (c.size() != m * n || c.type() != a.type() || !c.isDirect()) {
            throw new IllegalArgumentException("gemmTo: target " + c.type() + " " + Shapes.str(c.shape())
                    + " cannot hold a direct [" + m + ", " + n + "] " + a.type() + " product");
        }
        if (k == 0) {
            if (!accumulate) {
                c.fill(0);
            }
            return;
        }
        if (a.type() == DataType.FLOAT) {
            sgemm(a, b, transA, transB, m, n, k, accumulate ? 1f : 0f, c.floatBuffer());
        } else {
            dgemm(a, b, transA, transB, m, n, k, accumulate ? 1.0 : 0.0, c.doubleBuffer());
        }
    }

    /**
     * {@code y += alpha * x} in place by BLAS when both are float32 storages of equal size and {@code y} is held
     * in a direct buffer on the CPU backend ({@code x} is staged when it is not); returns false, having done
     * nothing, otherwise. For optimizers: PyTorch's {@code p.add_(g, alpha=-lr)}. Every update of a parameter
     * goes through here whatever form its gradient has, so one rounding scheme applies (BLAS fuses the
     * multiply-add in its vector body, as PyTorch's vectorized add_ does).
     */
    public static boolean axpy(float alpha, Storage x, Storage y) {
        // alpha = 0 goes the Java way: BLAS skips the update then, where PyTorch still turns p into NaN for an
        // infinite gradient (0 * inf)
        if (!DIRECT_BLAS || alpha == 0 || x.type() != DataType.FLOAT || y.type() != DataType.FLOAT
                || x.size() != y.size() || !y.isDirect()) {
            return false;
        }
        synchronized (y) { // as Storage's own in-place writers
            openblas_nolapack.cblas_saxpy(x.size(), alpha, Scratch.get().stage(0, x), 1, y.floatBuffer(), 1);
            y.bumpVersion();
        }
        return true;
    }


    /** {@code c = op(a) op(b) + beta c} by BLAS on direct buffers, row-major, each from its position 0. */
    static void sgemm(boolean ta, boolean tb, int m, int n, int k, FloatBuffer a, int lda, FloatBuffer b, int ldb,
                      float beta, FloatBuffer c, int ldc) {
        sgemm(ta, tb, m, n, k, 1f, a, lda, b, ldb, beta, c, ldc);
    }

    /** {@code c = alpha op(a) op(b) + beta c} by BLAS on direct buffers, row-major, each from its position 0. */
    static void sgemm(boolean ta, boolean tb, int m, int n, int k, float alpha, FloatBuffer a, int lda,
                      FloatBuffer b, int ldb, float beta, FloatBuffer c, int ldc) {
        openblas_nolapack.cblas_sgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha, a, lda,
                b, ldb, beta, c, ldc);
    }

    /**
     * {@code c = op(a) op(b)} on float64 heap arrays, each matrix row-major at an offset with its leading dimension
     * (a group's block of a larger matrix): for the float64 convolution. On the CPU backend by BLAS, elsewhere by
     * ND4J's gemm.
     */
    static void gemm(boolean ta, boolean tb, int m, int n, int k, double[] a, int aOff, int lda, double[] b,
                     int bOff, int ldb, double[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        int aLen = (ta ? k : m) * lda;
        int bLen = (tb ? n : k) * ldb;
        int cLen = m * ldc;
        if (k == 0) {
            Arrays.fill(c, cOff, cOff + cLen, 0.0);
            return;
        }
        if (!DIRECT_BLAS) {
            INDArray ai = Nd4j.create(Arrays.copyOfRange(a, aOff, aOff + aLen), new long[] {ta ? k : m, lda},
                    DataType.DOUBLE);
            INDArray bi = Nd4j.create(Arrays.copyOfRange(b, bOff, bOff + bLen), new long[] {tb ? n : k, ldb},
                    DataType.DOUBLE);
            INDArray ci = Nd4j.gemm(ai.get(NDArrayIndex.all(), NDArrayIndex.interval(0, ta ? m : k)),
                    bi.get(NDArrayIndex.all(), NDArrayIndex.interval(0, tb ? k : n)), ta, tb);
            double[] r = ci.dup('c').data().asDouble();
            for (int i = 0; i < m; i++) {
                System.arraycopy(r, i * n, c, cOff + i * ldc, n);
            }
            return;
        }
        // JavaCPP copies heap arrays in and out around the call (whole arrays: hence the copies of the blocks);
        // float64 runs in tests, not on a hot path
        double[] cs = new double[cLen];
        openblas_nolapack.cblas_dgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, 1.0,
                DoubleBuffer.wrap(Arrays.copyOfRange(a, aOff, aOff + aLen)), lda,
                DoubleBuffer.wrap(Arrays.copyOfRange(b, bOff, bOff + bLen)), ldb, 0.0, DoubleBuffer.wrap(cs), ldc);
        System.arraycopy(cs, 0, c, cOff, cLen);
    }

    /**
     * {@code op(a) @ op(b)} for operands of rank 2 or more, batch dimensions broadcast as {@code torch.matmul}
     * does. When only the left side is batched (and not transposed) its batch is folded into rows: one gemm.
     */
    public static Storage matmul(Storage a, Storage b, boolean transA, boolean transB) {
        long[] as = a.shape();
        long[] bs = b.shape();
        if (as.length == 2 && bs.length == 2) {
            return gemm(a, b, transA, transB);
        }
        if (bs.length == 2 && !transA) {
            int k = (int) as[as.length - 1];
            int rows = (int) Shapes.rows(as);
            int n = (int) (transB ? bs[0] : bs[1]);
            long[] os = as.clone();
            os[os.length - 1] = n;
            return gemmInto(a, b, false, transB, rows, n, k, null).viewAs(os);
        }
        if (DIRECT_BLAS && a.type() == DataType.FLOAT && b.type() == DataType.FLOAT && as.length == bs.length
                && Arrays.equals(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2))) {
            return batchedFloats(a, b, transA, transB);
        }
        return Storage.of(perBatch(a.nd(), b.nd(), transA, transB));
    }

    /**
     * {@link #matmul} for float32 operands with equal batch dimensions (attention's {@code [N heads, L, d]}
     * products): both staged once into direct buffers, one sgemm per batch entry on slices of them, the result
     * copied out once.
     */
    private static Storage batchedFloats(Storage a, Storage b, boolean ta, boolean tb) {
        long[] as = a.shape();
        long[] bs = b.shape();
        int r = as.length;
        int ar = (int) as[r - 2];
        int ac = (int) as[r - 1];
        int br = (int) bs[r - 2];
        int bc = (int) bs[r - 1];
        int m = ta ? ac : ar;
        int k = ta ? ar : ac;
        int n = tb ? br : bc;
        if ((tb ? bc : br) != k) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + Shapes.str(as) + " and "
                    + Shapes.str(bs));
        }
        int count = (int) Shapes.numel(Arrays.copyOf(as, r - 2));
        long[] outShape = as.clone();
        outShape[r - 2] = m;
        outShape[r - 1] = n;
        float[] out = new float[count * m * n];
        if (count == 0 || m == 0 || n == 0) {
            return Storage.ofFloats(out, outShape);
        }
        Scratch sc = Scratch.get();
        FloatBuffer abuf = sc.stage(0, a);
        FloatBuffer bbuf = sc.stage(1, b);
        FloatBuffer cbuf = sc.slot(2, out.length);
        for (int i = 0; i < count; i++) {
            if (k == 0) {
                break;
            }
            sgemm(ta, tb, m, n, k, abuf.slice(i * ar * ac, ar * ac), ac, bbuf.slice(i * br * bc, br * bc), bc, 0f,
                    cbuf.slice(i * m * n, m * n), n);
        }
        if (k > 0) {
            cbuf.get(0, out, 0, out.length);
        }
        return Storage.ofFloats(out, outShape);
    }

    /** {@code op(a) @ op(b)} over broadcast batch dimensions, one gemm per batch entry. */
    private static INDArray perBatch(INDArray a, INDArray b, boolean ta, boolean tb) {
        long[] as = a.shape();
        long[] bs = b.shape();
        long[] batch = Shapes.broadcast("matmul", Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        long m = ta ? as[as.length - 1] : as[as.length - 2];
        long n = tb ? bs[bs.length - 2] : bs[bs.length - 1];
        INDArray aa = a.broadcast(withMatrix(batch, as)).reshape('c', -1, as[as.length - 2], as[as.length - 1]);
        INDArray bb = b.broadcast(withMatrix(batch, bs)).reshape('c', -1, bs[bs.length - 2], bs[bs.length - 1]);
        long count = Shapes.numel(batch);
        INDArray out = Nd4j.createUninitialized(a.dataType(), count, m, n);
        for (long i = 0; i < count; i++) {
            INDArray ai = aa.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all()).dup();
            INDArray bi = bb.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all()).dup();
            out.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all())
                    .assign(gemm(Storage.of(ai), Storage.of(bi), ta, tb).nd());
        }
        long[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        return out.reshape('c', outShape);
    }

    /** {@code batch} followed by the last two dimensions of {@code shape}. */
    private static long[] withMatrix(long[] batch, long[] shape) {
        long[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = shape[shape.length - 2];
        s[batch.length + 1] = shape[shape.length - 1];
        return s;
    }

    private static INDArray dense(INDArray a) {
        return Storage.isDenseC(a) ? a : a.dup('c');
    }
}

package dev.nn4j.core;

import java.util.Arrays;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one layer through which ops compute: broadcasting arithmetic, reductions to a shape, matrix products.
 *
 * <p>Internal. float32/float64 work runs as Java loops over heap arrays (cheaper than any ND4J call for the
 * sizes of a layer's activations) and matrix products go straight to BLAS ({@code cblas_?gemm}) with transpose
 * flags, reading parameters in place from ND4J's buffers. Other dtypes, and the CUDA backend, go through ND4J.
 * Ops call only these methods, so a kernel can change without touching any op.
 */
public final class Kernels {
    /** True when ND4J runs on the CPU backend, whose OpenBLAS we can call directly. */
    private static final boolean DIRECT_BLAS =
            Nd4j.getBackend().getClass().getSimpleName().toLowerCase().contains("cpu");
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private Kernels() {
    }

    /** Elementwise binary operators with NumPy broadcasting. */
    public enum BinaryOp { ADD, SUB, MUL, DIV }

    // ------------------------------------------------------------------ elementwise

    /** {@code a op b} broadcast to {@code outShape}, computed in {@code type}. */
    public static Storage binary(BinaryOp op, Storage a, Storage b, long[] outShape, DataType type) {
        int n = Math.toIntExact(Shapes.numel(outShape));
        if (type == DataType.FLOAT && a.isFloating() && b.isFloating()) {
            float[] out = new float[n];
            float[] x = expand(a.floats(), a.shape(), outShape);
            if (b.size() == 1) {
                floatScalarOp(op, x, b.floats()[0], out);
            } else {
                floatOp(op, x, expand(b.floats(), b.shape(), outShape), out);
            }
            return Storage.ofFloats(out, outShape);
        }
        if (type == DataType.DOUBLE && a.isFloating() && b.isFloating()) {
            double[] out = new double[n];
            double[] x = expand(a.doubles(), a.shape(), outShape);
            if (b.size() == 1) {
                doubleScalarOp(op, x, b.doubles()[0], out);
            } else {
                doubleOp(op, x, expand(b.doubles(), b.shape(), outShape), out);
            }
            return Storage.ofDoubles(out, outShape);
        }
        return Storage.of(ndBinary(op, a.nd(), b.nd(), outShape, type));
    }

    private static void floatOp(BinaryOp op, float[] x, float[] y, float[] out) {
        switch (op) {
            case ADD: for (int i = 0; i < out.length; i++) { out[i] = x[i] + y[i]; } break;
            case SUB: for (int i = 0; i < out.length; i++) { out[i] = x[i] - y[i]; } break;
            case MUL: for (int i = 0; i < out.length; i++) { out[i] = x[i] * y[i]; } break;
            default: for (int i = 0; i < out.length; i++) { out[i] = x[i] / y[i]; } break;
        }
    }

    private static void floatScalarOp(BinaryOp op, float[] x, float c, float[] out) {
        switch (op) {
            case ADD: for (int i = 0; i < out.length; i++) { out[i] = x[i] + c; } break;
            case SUB: for (int i = 0; i < out.length; i++) { out[i] = x[i] - c; } break;
            case MUL: for (int i = 0; i < out.length; i++) { out[i] = x[i] * c; } break;
            default: for (int i = 0; i < out.length; i++) { out[i] = x[i] / c; } break;
        }
    }

    private static void doubleOp(BinaryOp op, double[] x, double[] y, double[] out) {
        switch (op) {
            case ADD: for (int i = 0; i < out.length; i++) { out[i] = x[i] + y[i]; } break;
            case SUB: for (int i = 0; i < out.length; i++) { out[i] = x[i] - y[i]; } break;
            case MUL: for (int i = 0; i < out.length; i++) { out[i] = x[i] * y[i]; } break;
            default: for (int i = 0; i < out.length; i++) { out[i] = x[i] / y[i]; } break;
        }
    }

    private static void doubleScalarOp(BinaryOp op, double[] x, double c, double[] out) {
        switch (op) {
            case ADD: for (int i = 0; i < out.length; i++) { out[i] = x[i] + c; } break;
            case SUB: for (int i = 0; i < out.length; i++) { out[i] = x[i] - c; } break;
            case MUL: for (int i = 0; i < out.length; i++) { out[i] = x[i] * c; } break;
            default: for (int i = 0; i < out.length; i++) { out[i] = x[i] / c; } break;
        }
    }

    private static INDArray ndBinary(BinaryOp op, INDArray a, INDArray b, long[] outShape, DataType type) {
        INDArray x = align(a, outShape.length, type);
        INDArray y = align(b, outShape.length, type);
        INDArray lhs = Arrays.equals(x.shape(), outShape) ? x : x.broadcast(outShape);
        switch (op) {
            case ADD: return lhs.add(y);
            case SUB: return lhs.sub(y);
            case MUL: return lhs.mul(y);
            default: return lhs.div(y);
        }
    }

    /**
     * In place on the heap: {@code target op= b}, {@code b} broadcast to {@code target}'s shape; false when
     * {@code target} is not on the heap. Called by {@link Storage} under its lock.
     */
    static boolean heapBinaryInto(BinaryOp op, Storage target, Storage b) {
        if (target.onHeap() && b.isFloating()) {
            if (target.type() == DataType.FLOAT) {
                float[] t = target.floats();
                floatOp(op, t, expand(b.floats(), b.shape(), target.shape()), t);
            } else {
                double[] t = target.doubles();
                doubleOp(op, t, expand(b.doubles(), b.shape(), target.shape()), t);
            }
            return true;
        }
        return false;
    }

    /** In place through ND4J: {@code target op= b}. Called by {@link Storage} under its lock. */
    static void ndBinaryInto(BinaryOp op, Storage target, Storage b) {
        INDArray t = target.nd();
        INDArray y = align(b.nd(), t.rank(), t.dataType());
        switch (op) {
            case ADD: t.addi(y); break;
            case SUB: t.subi(y); break;
            case MUL: t.muli(y); break;
            default: t.divi(y); break;
        }
    }

    /** {@code a} cast to {@code type} and viewed with leading 1s up to {@code rank}. */
    static INDArray align(INDArray a, int rank, DataType type) {
        INDArray x = a.dataType() == type ? a : a.castTo(type);
        return x.rank() == rank ? x : x.reshape(Shapes.padLeft(x.shape(), rank));
    }

    /**
     * For each position of {@code outShape} (row-major), the position in an array of {@code srcShape} broadcast
     * to it; null when the shapes have the same size (no broadcasting).
     */
    static int[] broadcastMap(long[] srcShape, long[] outShape) {
        long[] s = Shapes.padLeft(srcShape, outShape.length);
        if (Shapes.numel(s) == Shapes.numel(outShape)) {
            return null;
        }
        int r = outShape.length;
        int n = Math.toIntExact(Shapes.numel(outShape));
        long[] srcStride = new long[r];
        long st = 1;
        for (int k = r - 1; k >= 0; k--) {
            srcStride[k] = s[k] == 1 ? 0 : st;
            st *= s[k];
        }
        int[] map = new int[n];
        int[] counter = new int[r];
        int pos = 0;
        for (int i = 0; i < n; i++) {
            map[i] = pos;
            for (int k = r - 1; k >= 0; k--) {
                counter[k]++;
                pos += (int) srcStride[k];
                if (counter[k] < outShape[k]) {
                    break;
                }
                pos -= (int) (srcStride[k] * outShape[k]);
                counter[k] = 0;
            }
        }
        return map;
    }

    static float[] expand(float[] src, long[] srcShape, long[] outShape) {
        int[] map = broadcastMap(srcShape, outShape);
        if (map == null) {
            return src;
        }
        float[] out = new float[map.length];
        if (src.length == 1) {
            Arrays.fill(out, src[0]);
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = src[map[i]];
        }
        return out;
    }

    static double[] expand(double[] src, long[] srcShape, long[] outShape) {
        int[] map = broadcastMap(srcShape, outShape);
        if (map == null) {
            return src;
        }
        double[] out = new double[map.length];
        if (src.length == 1) {
            Arrays.fill(out, src[0]);
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = src[map[i]];
        }
        return out;
    }

    /** {@code a} broadcast to {@code outShape} as a new heap storage of {@code type} (float types only). */
    public static Storage expand(Storage a, long[] outShape, DataType type) {
        if (type == DataType.FLOAT) {
            float[] x = expand(a.floats(), a.shape(), outShape);
            return Storage.ofFloats(x == a.floats() ? x.clone() : x, outShape);
        }
        double[] x = expand(a.doubles(), a.shape(), outShape);
        return Storage.ofDoubles(x == a.doubles() ? x.clone() : x, outShape);
    }

    /** {@code alpha * s} as a new heap storage (float types). */
    public static Storage scale(Storage s, double alpha) {
        if (s.type() == DataType.FLOAT) {
            float[] x = s.floats();
            float[] out = new float[x.length];
            float a = (float) alpha;
            for (int i = 0; i < out.length; i++) {
                out[i] = x[i] * a;
            }
            return Storage.ofFloats(out, s.shape());
        }
        double[] x = s.doubles();
        double[] out = new double[x.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = x[i] * alpha;
        }
        return Storage.ofDoubles(out, s.shape());
    }

    /** ReLU in float32, {@code max(x, 0)}, into a new array. */
    public static Storage relu(Storage x) {
        float[] xv = x.floats();
        float[] out = new float[xv.length];
        // Math.max compiles to a branch-free (vectorized) max; a ternary mispredicts on half the elements
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(xv[i], 0f);
        }
        return Storage.ofFloats(out, x.shape());
    }

    /**
     * ReLU's backward in float32, {@code y > 0 ? g : 0} (PyTorch's {@code threshold_backward}), for a gradient
     * {@code g} and the ReLU's output {@code y}. Consumes {@code g}: written over it when it is a kernel's unshared
     * result (the engine hands each gradient to one node, and a tensor wrapping it or a {@code save} marks it
     * shared), else into a new array.
     */
    public static Storage reluBackward(Storage g, Storage y) {
        float[] gv = g.floats();
        float[] yv = y.floats();
        float[] owned = g.ownedFloats();
        float[] out = owned != null ? owned : new float[gv.length];
        // without a branch, which would mispredict on half the elements: y = relu(x) is +0 or positive, so
        // hi = y * 2^277 is +0 or +inf (the smallest subnormal overflows too), and clamping g to [0 - hi, hi] passes
        // g (and -0, and infinities) where y > 0 and gives +0 where y = 0. Max and min vectorize; a ternary or
        // signum runs element by element, 3-6x slower here. Only NaNs differ: a NaN g at an inactive unit, or a
        // NaN output, gives NaN where PyTorch gives 0 or g (garbage by then either way).
        for (int i = 0; i < out.length; i++) {
            float hi = yv[i] * 0x1p75f * 0x1p75f * 0x1p127f;
            out[i] = Math.min(Math.max(gv[i], 0f - hi), hi);
        }
        return owned != null ? g : Storage.ofFloats(out, g.shape());
    }

    /** The transpose of a 2-D heap-friendly storage as a new row-major storage. */
    public static Storage transpose2d(Storage s) {
        int r = (int) s.shape()[0];
        int c = (int) s.shape()[1];
        long[] shape = {c, r};
        if (s.type() == DataType.FLOAT) {
            float[] x = s.floats();
            float[] out = new float[x.length];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) {
                    out[j * r + i] = x[i * c + j];
                }
            }
            return Storage.ofFloats(out, shape);
        }
        double[] x = s.doubles();
        double[] out = new double[x.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                out[j * r + i] = x[i * c + j];
            }
        }
        return Storage.ofDoubles(out, shape);
    }

    // ------------------------------------------------------------------ reductions

    /**
     * Sums a broadcast gradient back to the shape of the input it flows to: over leading dimensions the input
     * lacked and over dimensions where the input had size 1.
     */
    public static Storage sumToShape(Storage g, long[] shape) {
        if (Arrays.equals(g.shape(), shape)) {
            return g;
        }
        int[] map = broadcastMap(shape, g.shape());
        if (map == null) {
            return g.reshape(shape);
        }
        int n = Math.toIntExact(Shapes.numel(shape));
        if (g.type() == DataType.FLOAT) {
            float[] src = g.floats();
            float[] out = new float[n];
            for (int i = 0; i < src.length; i++) {
                out[map[i]] += src[i];
            }
            return Storage.ofFloats(out, shape);
        }
        if (g.type() == DataType.DOUBLE) {
            double[] src = g.doubles();
            double[] out = new double[n];
            for (int i = 0; i < src.length; i++) {
                out[map[i]] += src[i];
            }
            return Storage.ofDoubles(out, shape);
        }
        INDArray a = g.nd();
        int lead = a.rank() - shape.length;
        int[] dims = new int[a.rank()];
        int k = 0;
        for (int i = 0; i < a.rank(); i++) {
            if (i < lead || (shape[i - lead] == 1 && a.size(i) != 1)) {
                dims[k++] = i;
            }
        }
        return Storage.of(a.sum(true, Arrays.copyOf(dims, k)).reshape(shape));
    }

    /** Sum of every element, accumulated in double. */
    public static double sum(Storage s) {
        double acc = 0;
        if (s.type() == DataType.FLOAT) {
            for (float v : s.floats()) {
                acc += v;
            }
            return acc;
        }
        for (double v : s.doubles()) {
            acc += v;
        }
        return acc;
    }

    /**
     * The sum of {@code d * d}, each square rounded to {@code d}'s type and summed in double: the value a squared
     * tensor and its sum would give, without materializing the squares.
     */
    public static double sumOfSquares(Storage d) {
        double acc = 0;
        if (d.type() == DataType.FLOAT) {
            for (float v : d.floats()) {
                acc += v * v;
            }
        } else if (d.type() == DataType.DOUBLE) {
            for (double v : d.doubles()) {
                acc += v * v;
            }
        } else {
            // half types: the squares rounded to the type, as ND4J's product gives them
            acc = sum(binary(BinaryOp.MUL, d, d, d.shape(), d.type()));
        }
        return acc;
    }

    /** Sum over dimension {@code dim} (float types), keeping it as size 1 when {@code keepDim}. */
    public static Storage sumDim(Storage s, int dim, boolean keepDim) {
        long[] shape = s.shape();
        int size = (int) shape[dim];
        int inner = 1;
        for (int k = dim + 1; k < shape.length; k++) {
            inner *= (int) shape[k];
        }
        int outer = 1;
        for (int k = 0; k < dim; k++) {
            outer *= (int) shape[k];
        }
        long[] outShape = reducedShape(shape, dim, keepDim);
        double[] out = new double[outer * inner];
        sumInto(s, outer, size, inner, out);
        return Storage.fromDoubles(out, outShape, s.type());
    }

    /**
     * Adds {@code s} (float types, viewed as {@code [outer, size, inner]}) summed over its middle dimension into
     * {@code out} ({@code [outer, inner]}), in double and in row order. Float32 is read in place (no converted copy
     * of the whole input).
     */
    private static void sumInto(Storage s, int outer, int size, int inner, double[] out) {
        if (s.type() == DataType.FLOAT) {
            float[] x = s.floats();
            for (int o = 0; o < outer; o++) {
                for (int j = 0; j < size; j++) {
                    int base = (o * size + j) * inner;
                    for (int i = 0; i < inner; i++) {
                        out[o * inner + i] += x[base + i];
                    }
                }
            }
        } else {
            double[] x = s.doubles();
            for (int o = 0; o < outer; o++) {
                for (int j = 0; j < size; j++) {
                    int base = (o * size + j) * inner;
                    for (int i = 0; i < inner; i++) {
                        out[o * inner + i] += x[base + i];
                    }
                }
            }
        }
    }

    /** {@code shape} without dimension {@code dim}, or with it set to 1. */
    public static long[] reducedShape(long[] shape, int dim, boolean keepDim) {
        if (keepDim) {
            long[] k = shape.clone();
            k[dim] = 1;
            return k;
        }
        long[] out = new long[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != dim) {
                out[j++] = shape[i];
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ matrix products

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
            java.nio.FloatBuffer c = SCRATCH.get().slot(2, m * n);
            float beta = 0;
            if (bias != null) {
                // the bias's own buffer (a parameter's ND4J data, read in place), not a copy of it
                java.nio.FloatBuffer bv = bias.floatBuffer();
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
            dgemm(a, b, transA, transB, m, n, k, beta, java.nio.DoubleBuffer.wrap(out));
        }
        return Storage.freshDoubles(out, outShape);
    }

    /**
     * {@code c = op(a) x op(b) + beta * c} by BLAS, {@code c} row-major {@code [m, n]}; heap operands are staged
     * through this thread's direct scratch. The leading dimensions are the operands' as stored (row-major),
     * whatever their nominal rank.
     */
    private static void sgemm(Storage a, Storage b, boolean transA, boolean transB, int m, int n, int k, float beta,
                              java.nio.FloatBuffer c) {
        Scratch sc = SCRATCH.get();
        openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, 1f,
                sc.stage(0, a), transA ? m : k, sc.stage(1, b), transB ? k : n, beta, c, n);
    }

    /** As {@link #sgemm} for float64 (operands read through their own buffers). */
    private static void dgemm(Storage a, Storage b, boolean transA, boolean transB, int m, int n, int k, double beta,
                              java.nio.DoubleBuffer c) {
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
     * The column sums of {@code g} ({@code [rows, cols]}, float types) written into {@code c} ({@code [cols]},
     * dense, direct: see {@link GradTarget}), or added to it when {@code accumulate}: Linear's bias gradient, straight
     * into the bias's {@code grad}. Summed in double and rounded once, as {@link #sumDim} does.
     */
    public static void sumRowsTo(Storage g, int rows, int cols, Storage c, boolean accumulate) {
        if (c.size() != cols || g.size() != rows * cols || c.type() != g.type() || !c.isDirect()) {
            throw new IllegalArgumentException("sumRowsTo: target " + c.type() + " " + Shapes.str(c.shape())
                    + " cannot hold the column sums of a direct [" + rows + ", " + cols + "] " + g.type() + " array");
        }
        double[] sums = SCRATCH.get().sums(cols);
        sumInto(g, 1, rows, cols, sums);
        if (g.type() == DataType.FLOAT) {
            java.nio.FloatBuffer out = c.floatBuffer();
            for (int i = 0; i < cols; i++) {
                out.put(i, accumulate ? out.get(i) + (float) sums[i] : (float) sums[i]);
            }
        } else {
            java.nio.DoubleBuffer out = c.doubleBuffer();
            for (int i = 0; i < cols; i++) {
                out.put(i, accumulate ? out.get(i) + sums[i] : sums[i]);
            }
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
            openblas_nolapack.cblas_saxpy(x.size(), alpha, SCRATCH.get().stage(0, x), 1, y.floatBuffer(), 1);
            y.bumpVersion();
        }
        return true;
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Per-thread direct buffers that heap operands are staged through on their way to BLAS: one bulk copy each,
     * where handing JavaCPP a heap array costs a copy in and a copy back out for every operand.
     */
    private static final class Scratch {
        private final java.nio.FloatBuffer[] slots = new java.nio.FloatBuffer[3];
        private double[] sums = new double[0];

        /** {@code n} zeros to sum into, reused by the next call. */
        double[] sums(int n) {
            if (sums.length < n) {
                sums = new double[Math.max(n, 2 * sums.length)];
            } else {
                Arrays.fill(sums, 0, n, 0.0);
            }
            return sums;
        }

        java.nio.FloatBuffer slot(int i, int size) {
            java.nio.FloatBuffer b = slots[i];
            if (b == null || b.capacity() < size) {
                int cap = Math.max(size, b == null ? 1024 : b.capacity() * 2);
                b = java.nio.ByteBuffer.allocateDirect(cap * Float.BYTES).order(java.nio.ByteOrder.nativeOrder())
                        .asFloatBuffer();
                slots[i] = b;
            }
            return b;
        }

        /** A direct buffer holding {@code s}: its own ND4J buffer when it has one, else a staged copy. */
        java.nio.FloatBuffer stage(int i, Storage s) {
            if (!s.onHeap()) {
                java.nio.FloatBuffer own = s.floatBuffer();
                if (own.isDirect()) {
                    return own;
                }
            }
            java.nio.FloatBuffer b = slot(i, s.size());
            b.put(0, s.floats(), 0, s.size());
            return b;
        }
    }

    private static INDArray dense(INDArray a) {
        return Storage.isDenseC(a) ? a : a.dup('c');
    }
}

package dev.nn4j.core;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one layer through which ops reach ND4J: broadcasting arithmetic, reductions to a shape, matrix products.
 *
 * <p>Internal. Ops call these instead of ND4J so that a faster path (Java loops over buffers for small arrays,
 * direct BLAS) can replace a kernel without touching any op or the Tensor API. Every method expects shapes
 * already checked by the caller and returns a new array unless its name ends in {@code Into}.
 */
public final class Kernels {
    private Kernels() {
    }

    /** Elementwise binary operators with NumPy broadcasting. */
    public enum BinaryOp { ADD, SUB, MUL, DIV }

    /** {@code a op b} broadcast to {@code outShape}, in {@code type}. */
    public static INDArray binary(BinaryOp op, INDArray a, INDArray b, long[] outShape, DataType type) {
        INDArray x = align(a, outShape.length, type);
        INDArray y = align(b, outShape.length, type);
        INDArray lhs = java.util.Arrays.equals(x.shape(), outShape) ? x : x.broadcast(outShape);
        switch (op) {
            case ADD: return lhs.add(y);
            case SUB: return lhs.sub(y);
            case MUL: return lhs.mul(y);
            default: return lhs.div(y);
        }
    }

    /** In place: {@code target op= b}, with {@code b} broadcast to {@code target}'s shape. */
    public static void binaryInto(BinaryOp op, INDArray target, INDArray b) {
        INDArray y = align(b, target.rank(), target.dataType());
        switch (op) {
            case ADD: target.addi(y); break;
            case SUB: target.subi(y); break;
            case MUL: target.muli(y); break;
            default: target.divi(y); break;
        }
    }

    /** {@code a} cast to {@code type} and viewed with leading 1s up to {@code rank}. */
    static INDArray align(INDArray a, int rank, DataType type) {
        INDArray x = a.dataType() == type ? a : a.castTo(type);
        if (x.rank() == rank) {
            return x;
        }
        return x.reshape(Shapes.padLeft(x.shape(), rank));
    }

    /**
     * Sums a broadcast gradient back to the shape of the input it flows to: over leading dimensions the input
     * lacked and over dimensions where the input had size 1.
     */
    public static INDArray sumToShape(INDArray g, long[] shape) {
        long[] gs = g.shape();
        if (java.util.Arrays.equals(gs, shape)) {
            return g;
        }
        int lead = gs.length - shape.length;
        int[] dims = new int[gs.length];
        int n = 0;
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) {
                dims[n++] = i;
            }
        }
        INDArray s = n == 0 ? g : g.sum(true, java.util.Arrays.copyOf(dims, n));
        return s.reshape(shape);
    }

    /**
     * {@code op(a) x op(b)} for 2-D arrays, where {@code op} transposes when its flag is set; BLAS reads the
     * transposes through its flags, so no transposed copy is made.
     */
    public static INDArray gemm(INDArray a, INDArray b, boolean transA, boolean transB) {
        long m = transA ? a.size(1) : a.size(0);
        long n = transB ? b.size(0) : b.size(1);
        INDArray out = Nd4j.createUninitialized(a.dataType(), m, n);
        return gemmInto(a, b, out, transA, transB, 0.0);
    }

    /** {@code out = op(a) x op(b) + beta * out}. */
    public static INDArray gemmInto(INDArray a, INDArray b, INDArray out, boolean transA, boolean transB,
                                    double beta) {
        if (a.size(0) == 0 || a.size(1) == 0 || b.size(0) == 0 || b.size(1) == 0) {
            if (beta == 0.0) {
                out.assign(0);
            }
            return out;
        }
        Nd4j.gemm(dense(a), dense(b), out, transA, transB, 1.0, beta);
        return out;
    }

    private static INDArray dense(INDArray a) {
        return a.isView() && !a.isMatrix() ? a.dup() : a;
    }

    /** A new zero-filled array. */
    public static INDArray zeros(DataType type, long... shape) {
        return Nd4j.zeros(type, shape);
    }
}

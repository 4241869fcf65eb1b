package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Blas;
import dev.nn4j.core.kernel.Storage;

/**
 * Matrix products. 2-D: one gemm forward, two gemms backward with transpose flags (no transposed copies).
 * Batched ({@code [..., n, k] @ [..., k, m]}, batch dimensions broadcast): one gemm per batch entry, and when
 * only the left side is batched the batch is folded into rows, so it is still one gemm.
 */
public final class MatMul extends Node {
    /** Indices of the saved operands (see {@link #saved}). */
    private int a;
    private int b;
    private final boolean batched;

    private MatMul(boolean batched) {
        this.batched = batched;
    }

    /** 2-D only. PyTorch: {@code a.mm(b)}. */
    public static Tensor mm(Tensor a, Tensor b) {
        if (a.dim() != 2 || b.dim() != 2) {
            throw new IllegalArgumentException("mm: expected 2-D tensors, got shapes " + Shapes.str(a.shape())
                    + " and " + Shapes.str(b.shape()));
        }
        return matmul(a, b);
    }

    /** 1-D, 2-D and batched, as {@code torch.matmul}. */
    public static Tensor matmul(Tensor a, Tensor b) {
        sameDevice("matmul", a, b);
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dimension, got shapes "
                    + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()));
        }
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException("matmul: expected both operands to have the same dtype, but got "
                    + a.dtype() + " and " + b.dtype() + " (shapes " + Shapes.str(a.shape()) + " and "
                    + Shapes.str(b.shape()) + ")");
        }
        if (a.dim() == 1 && b.dim() == 1) {
            // a dot product, 0-d, as torch.matmul gives
            return matmul(a.reshape(1, a.size(0)), b.reshape(b.size(0), 1)).reshape();
        }
        if (a.dim() == 1) {
            Tensor r = matmul(a.reshape(1, a.size(0)), b);
            long[] s = r.shape();
            long[] drop = new long[s.length - 1];
            System.arraycopy(s, 0, drop, 0, s.length - 2);
            drop[drop.length - 1] = s[s.length - 1];
            return r.reshape(drop);
        }
        if (b.dim() == 1) {
            Tensor r = matmul(a, b.reshape(b.size(0), 1));
            long[] s = r.shape();
            return r.reshape(java.util.Arrays.copyOf(s, s.length - 1));
        }
        long k = a.size(-1);
        if (k != b.size(-2)) {
            throw new IllegalArgumentException("matmul: mat1 and mat2 shapes cannot be multiplied ("
                    + a.size(-2) + "x" + k + " and " + b.size(-2) + "x" + b.size(-1) + "); shapes "
                    + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()));
        }
        boolean batched = a.dim() > 2 || b.dim() > 2;
        Storage out = Blas.matmul(storage(a), storage(b), false, false);
        MatMul fn = new MatMul(batched);
        if (recording(a, b)) {
            fn.a = fn.save(storage(a));
            fn.b = fn.save(storage(b));
        }
        return record(fn, out, a, b);
    }

    @Override
    protected Storage[] backward(Storage g) {
        Storage a = saved(this.a);
        Storage b = saved(this.b);
        if (batched && b.shape().length == 2) {
            // the left side's batch folded into rows: dB = A^T G over all rows, one gemm
            long[] as = a.shape();
            int k = (int) as[as.length - 1];
            int n = (int) b.shape()[1];
            int rows = (int) Shapes.rows(as);
            return new Storage[] {
                needsInputGrad(0) ? Blas.matmul(g, b, false, true) : null,
                needsInputGrad(1) ? Blas.gemmInto(a, g, true, false, k, n, rows, null) : null};
        }
        // batched: gradients in the broadcast batch shape; the engine sums them back to each input's shape
        return new Storage[] {
            needsInputGrad(0) ? Blas.matmul(g, b, false, true) : null,
            needsInputGrad(1) ? Blas.matmul(a, g, true, false) : null};
    }

    @Override
    public String name() {
        return batched ? "UnsafeViewBackward" : "MmBackward";
    }
}

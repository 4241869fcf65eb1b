package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Kernels;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Storage;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Matrix products. 2-D: one gemm forward, two gemms backward with transpose flags (no transposed copies).
 * Batched ({@code [..., n, k] @ [..., k, m]}, batch dimensions broadcast): one gemm per batch entry, and when
 * only the left side is batched the batch is folded into rows, so it is still one gemm.
 */
public final class MatMul extends Function {
    private Storage a;
    private Storage b;
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
        Storage out = batched ? Storage.of(batchedForward(storage(a).nd(), storage(b).nd()))
                : Kernels.gemm(storage(a), storage(b), false, false);
        MatMul fn = new MatMul(batched);
        if (recording(a, b)) {
            fn.a = fn.save(storage(a));
            fn.b = fn.save(storage(b));
        }
        return record(fn, out, a, b);
    }

    private static INDArray batchedForward(INDArray a, INDArray b) {
        if (b.rank() == 2) {
            long[] s = a.shape();
            INDArray rows = Kernels.gemm(Storage.of(a.reshape('c', -1, s[s.length - 1])), Storage.of(b), false, false)
                    .nd();
            long[] os = s.clone();
            os[os.length - 1] = b.size(1);
            return rows.reshape('c', os);
        }
        return perBatch(a, b, false, false);
    }

    /** {@code op(a) @ op(b)} over broadcast batch dimensions, one gemm per batch entry. */
    private static INDArray perBatch(INDArray a, INDArray b, boolean ta, boolean tb) {
        long[] as = a.shape();
        long[] bs = b.shape();
        long[] batchA = java.util.Arrays.copyOf(as, as.length - 2);
        long[] batchB = java.util.Arrays.copyOf(bs, bs.length - 2);
        long[] batch = Shapes.broadcast("matmul", batchA, batchB);
        long m = ta ? as[as.length - 1] : as[as.length - 2];
        long n = tb ? bs[bs.length - 2] : bs[bs.length - 1];
        long[] outShape = java.util.Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        INDArray aa = a.broadcast(concat(batch, as[as.length - 2], as[as.length - 1])).reshape('c', -1,
                as[as.length - 2], as[as.length - 1]);
        INDArray bb = b.broadcast(concat(batch, bs[bs.length - 2], bs[bs.length - 1])).reshape('c', -1,
                bs[bs.length - 2], bs[bs.length - 1]);
        long count = Shapes.numel(batch);
        INDArray out = Nd4j.createUninitialized(a.dataType(), count, m, n);
        for (long i = 0; i < count; i++) {
            INDArray ai = aa.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all()).dup();
            INDArray bi = bb.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all()).dup();
            out.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all())
                    .assign(Kernels.gemm(Storage.of(ai), Storage.of(bi), ta, tb).nd());
        }
        return out.reshape('c', outShape);
    }

    private static long[] concat(long[] batch, long r, long c) {
        long[] s = java.util.Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }

    @Override
    protected Storage[] backward(Storage g) {
        if (!batched) {
            return new Storage[] {
                needsInputGrad(0) ? Kernels.gemm(g, b, false, true) : null,
                needsInputGrad(1) ? Kernels.gemm(a, g, true, false) : null};
        }
        INDArray an = a.nd();
        INDArray bn = b.nd();
        INDArray gn = g.nd();
        if (bn.rank() == 2) {
            long[] s = an.shape();
            Storage a2 = Storage.of(an.reshape('c', -1, s[s.length - 1]));
            Storage g2 = Storage.of(gn.reshape('c', -1, gn.size(gn.rank() - 1)));
            return new Storage[] {
                needsInputGrad(0) ? Kernels.gemm(g2, b, false, true).viewAs(s) : null,
                needsInputGrad(1) ? Kernels.gemm(a2, g2, true, false) : null};
        }
        // gradients in the broadcast batch shape; the engine sums them back to each input's shape
        return new Storage[] {
            needsInputGrad(0) ? Storage.of(perBatch(gn, bn, false, true)) : null,
            needsInputGrad(1) ? Storage.of(perBatch(an, gn, true, false)) : null};
    }

    @Override
    protected void releaseSaved() {
        a = null;
        b = null;
    }

    @Override
    public String name() {
        return batched ? "UnsafeViewBackward" : "MmBackward";
    }
}

package dev.nn4j.io;

import dev.nn4j.io.Pickled.TensorRef;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies a strided view out of a storage's raw bytes into a new contiguous ND4J array of the same dtype.
 * PyTorch views share their storage; ND4J arrays loaded here do not, so each tensor gets its own copy.
 */
final class TensorReader {
    private TensorReader() {
    }

    /**
     * The elements {@code offset + sum(idx[d] * stride[d])} of {@code storage}, in row-major order. The caller
     * has checked that every such index lies within the storage and that {@code storage} holds its elements.
     */
    static INDArray read(TensorRef t, byte[] storage, ByteOrder order) {
        TorchDType dtype = t.storage().dtype();
        INDArray out = Nd4j.create(dtype.nd4j, t.size().clone());
        long numel = t.numel();
        if (numel == 0) {
            return out;
        }
        ByteBuffer dst = out.data().asNio();
        int es = dtype.elementSize;
        boolean swap = es > 1 && order != dst.order();
        long[] size = t.size();
        long[] stride = t.stride();
        int rank = size.length;
        long inner = rank == 0 ? 1 : size[rank - 1];
        long innerStride = rank == 0 ? 0 : stride[rank - 1];
        long[] idx = new long[Math.max(rank - 1, 0)];
        long base = t.offset();
        int at = 0;
        for (long row = 0, rows = numel / inner; row < rows; row++) {
            if (innerStride == 1 && !swap) {
                int len = (int) (inner * es);
                dst.put(at, storage, (int) (base * es), len);
                at += len;
            } else {
                for (long j = 0; j < inner; j++) {
                    int src = (int) ((base + j * innerStride) * es);
                    for (int b = 0; b < es; b++) {
                        dst.put(at + b, storage[src + (swap ? es - 1 - b : b)]);
                    }
                    at += es;
                }
            }
            // odometer over the outer dims, moving base by their strides
            for (int d = rank - 2; d >= 0; d--) {
                base += stride[d];
                if (++idx[d] < size[d]) {
                    break;
                }
                base -= stride[d] * size[d];
                idx[d] = 0;
            }
        }
        if (dtype == TorchDType.BOOL) {
            // a bool byte other than 0 or 1 is true to PyTorch; ND4J expects exactly 1
            for (int i = 0; i < at; i++) {
                if (dst.get(i) != 0) {
                    dst.put(i, (byte) 1);
                }
            }
        }
        return out;
    }
}

package dev.nn4j.optim;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row-major element access to an ND4J array for the update loops: reads and writes go straight to the array's
 * buffer, so a loop allocates nothing per element.
 *
 * <p>An array that is not dense and row-major (a view, or column-major) is read through a row-major copy, and
 * {@link #commit} writes the copy back; the buffer converts on access, so one loop serves every dtype.
 */
final class Flat {
    private final INDArray target;
    private final INDArray dense;
    private final DataBuffer data;
    private final long size;

    private Flat(INDArray target, INDArray dense) {
        this.target = target;
        this.dense = dense;
        this.size = dense.length();
        this.data = size == 0 ? null : dense.data();
    }

    /** Access to {@code array}'s elements in row-major order. */
    static Flat of(INDArray array) {
        return new Flat(array, isDenseRowMajor(array) ? array : array.dup('c'));
    }

    private static boolean isDenseRowMajor(INDArray a) {
        return a.isEmpty() || !a.isView() && a.offset() == 0 && a.ordering() == 'c' && a.data().length() == a.length()
                && (a.rank() == 0 || Arrays.equals(a.stride(), Nd4j.getStrides(a.shape(), 'c')));
    }

    /** Number of elements. */
    long size() {
        return size;
    }

    /** Element {@code i}, converted to double. */
    double get(long i) {
        return data.getDouble(i);
    }

    /** Stores {@code v} (rounded to the array's dtype) as element {@code i}. */
    void set(long i, double v) {
        data.put(i, v);
    }

    /** Makes the writes visible in the original array when they went to a copy. */
    void commit() {
        if (dense != target) {
            target.assign(dense);
        }
    }
}

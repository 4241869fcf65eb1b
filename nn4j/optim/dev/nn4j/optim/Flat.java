package dev.nn4j.optim;

import dev.nn4j.core.kernel.Storage;
import dev.nn4j.core.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
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
    // float32/float64 go through NIO views: DataBuffer's per-element put/get costs far more than the arithmetic
    private final FloatBuffer floats;
    private final DoubleBuffer doubles;
    private final long size;

    private Flat(INDArray target, INDArray dense) {
        this.target = target;
        this.dense = dense;
        this.size = dense.length();
        this.data = size == 0 ? null : dense.data();
        this.floats = size > 0 && dense.dataType() == DataType.FLOAT ? data.asNioFloat() : null;
        this.doubles = size > 0 && dense.dataType() == DataType.DOUBLE ? data.asNioDouble() : null;
    }

    private Flat(Storage s) {
        this.target = null;
        this.dense = null;
        this.data = null;
        this.size = s.size();
        this.floats = s.type() == DataType.FLOAT ? s.readFloats() : null;
        this.doubles = s.type() == DataType.DOUBLE ? s.readDoubles() : null;
    }

    /** Access to {@code array}'s elements in row-major order. */
    static Flat of(INDArray array) {
        return new Flat(array, isDenseRowMajor(array) ? array : array.dup('c'));
    }

    /**
     * Read access to a tensor's elements without making an ND4J array of a heap-held gradient: float32/float64
     * through read-only views (a write through them throws).
     */
    static Flat read(Storage s) {
        return s.isFloating() ? new Flat(s) : of(s.nd());
    }

    private static boolean isDenseRowMajor(INDArray a) {
        return a.isEmpty() || !a.isView() && a.offset() == 0 && a.ordering() == 'c' && a.data().length() == a.length()
                && (a.rank() == 0 || Arrays.equals(a.stride(), Nd4j.getStrides(a.shape(), 'c')));
    }

    /** The float32 elements as a buffer (direct or heap-backed), or null for other dtypes. */
    FloatBuffer floatBuffer() {
        return floats;
    }

    /** Number of elements. */
    long size() {
        return size;
    }

    /** Element {@code i}, converted to double. */
    double get(long i) {
        if (floats != null) {
            return floats.get((int) i);
        }
        if (doubles != null) {
            return doubles.get((int) i);
        }
        return data.getDouble(i);
    }

    /** Stores {@code v} (rounded to the array's dtype) as element {@code i}. */
    void set(long i, double v) {
        if (floats != null) {
            floats.put((int) i, (float) v);
        } else if (doubles != null) {
            doubles.put((int) i, v);
        } else {
            data.put(i, v);
        }
    }

    /** Makes the writes visible in the original array when they went to a copy. */
    void commit() {
        if (target != null && dense != target) {
            target.assign(dense);
        }
    }
}

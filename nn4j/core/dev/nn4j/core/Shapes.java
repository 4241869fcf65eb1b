package dev.nn4j.core;

import java.util.Arrays;

/** Shape arithmetic shared by the ops: NumPy broadcasting, sizes, and how shapes read in messages. */
public final class Shapes {
    private Shapes() {
    }

    /** A shape as PyTorch prints it in messages: {@code [3, 4]}. */
    public static String str(long[] shape) {
        return Arrays.toString(shape);
    }

    /** Number of elements of a shape (1 for the 0-d shape {@code []}). */
    public static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    /**
     * {@code shape} itself, checked.
     *
     * @throws IllegalArgumentException naming {@code op} when a dimension is negative
     */
    public static long[] checkNonNegative(String op, long[] shape) {
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException(op + ": negative dimension in shape " + str(shape));
            }
        }
        return shape;
    }

    /**
     * The shape of {@code length} values laid out as {@code shape} (1-D when no shape is given for other than one
     * value).
     *
     * @throws IllegalArgumentException naming {@code op} when the shape does not hold exactly that many values
     */
    public static long[] forData(String op, int length, long[] shape) {
        long[] s = shape.length == 0 && length != 1 ? new long[] {length} : checkNonNegative(op, shape);
        if (numel(s) != length) {
            throw new IllegalArgumentException(op + ": shape " + str(s) + " holds " + numel(s)
                    + " elements but " + length + " values were given");
        }
        return s;
    }

    /** Number of elements over every dimension but the last: the rows of a shape seen as a matrix. */
    public static long rows(long[] shape) {
        long n = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            n *= shape[i];
        }
        return n;
    }

    /**
     * The NumPy broadcast of two shapes.
     *
     * @throws IllegalArgumentException naming {@code op} and both shapes when they do not broadcast
     */
    public static long[] broadcast(String op, long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long da = i < r - a.length ? 1 : a[i - (r - a.length)];
            long db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast (dimension " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** {@code shape} with leading 1s added up to {@code rank}. */
    public static long[] padLeft(long[] shape, int rank) {
        if (shape.length == rank) {
            return shape;
        }
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        System.arraycopy(shape, 0, out, rank - shape.length, shape.length);
        return out;
    }

    /** Normalizes a possibly negative dimension index, PyTorch style. */
    public static int dim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new IndexOutOfBoundsException(op + ": dimension out of range (expected to be in range of ["
                    + (-r) + ", " + (r - 1) + "], but got " + dim + ")");
        }
        return dim < 0 ? dim + r : dim;
    }
}

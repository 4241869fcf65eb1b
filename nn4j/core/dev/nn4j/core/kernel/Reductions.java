package dev.nn4j.core.kernel;

import dev.nn4j.core.Shapes;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sums, means, maxima and softmax along a dimension, and the reverse of broadcasting. Internal. Sums accumulate in
 * double and round once, in row order, so results do not depend on how a loop is split.
 */
public final class Reductions {
    private Reductions() {
    }

    /**
     * Sums a broadcast gradient back to the shape of the input it flows to: over leading dimensions the input
     * lacked and over dimensions where the input had size 1.
     */
    public static Storage sumToShape(Storage g, long[] shape) {
        if (Arrays.equals(g.shape(), shape)) {
            return g;
        }
        int[] map = Elementwise.broadcastMap(shape, g.shape());
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
            acc = sum(Elementwise.binary(Elementwise.BinaryOp.MUL, d, d, d.shape(), d.type()));
        }
        return acc;
    }

    /** The sum of squares (see {@link #sumOfSquares(Storage)}), or their mean, as a 0-d storage of {@code d}'s type. */
    public static Storage sumOfSquares(Storage d, boolean mean) {
        double s = sumOfSquares(d);
        return Storage.scalar(mean ? s / d.size() : s, d.type());
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
        return Storage.owning(out, outShape, s.type());
    }

    /**
     * Adds {@code s} (float types, viewed as {@code [outer, size, inner]}) summed over its middle dimension into
     * {@code out} ({@code [outer, inner]}), in double and in row order (float32 in lanes: see
     * {@link FloatMath#addColumnSums}). Float32 is read in place (no converted copy of the whole input).
     */
    private static void sumInto(Storage s, int outer, int size, int inner, double[] out) {
        if (s.type() == DataType.FLOAT) {
            float[] x = s.floats();
            FloatMath math = FloatMath.get();
            for (int o = 0; o < outer; o++) {
                math.addColumnSums(x, o * size * inner, size, inner, out, o * inner);
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
        double[] sums = Scratch.get().sums(cols);
        sumInto(g, 1, rows, cols, sums);
        if (g.type() == DataType.FLOAT) {
            FloatBuffer out = c.floatBuffer();
            for (int i = 0; i < cols; i++) {
                out.put(i, accumulate ? out.get(i) + (float) sums[i] : (float) sums[i]);
            }
        } else {
            DoubleBuffer out = c.doubleBuffer();
            for (int i = 0; i < cols; i++) {
                out.put(i, accumulate ? out.get(i) + sums[i] : sums[i]);
            }
        }
    }

    /**
     * Sum (or, for float types, mean) of every element as a 0-d storage of the input's type: accumulated and divided
     * in double, rounded once. Integer types go through ND4J.
     */
    public static Storage sumAll(Storage s, boolean mean) {
        if (s.isFloating()) {
            double sum = sum(s);
            return Storage.scalar(mean ? sum / s.size() : sum, s.type());
        }
        return Storage.of(Nd4j.scalar(s.type(), s.size() == 0 ? 0 : s.nd().sumNumber().longValue()));
    }

    /** Sum over {@code dim} for any type: the float loop, else ND4J. */
    public static Storage sumAlong(Storage s, int dim, boolean keepDim) {
        return s.isFloating() ? sumDim(s, dim, keepDim) : Storage.of(s.nd().sum(keepDim, dim));
    }

    /**
     * The backward of a sum: {@code g} (the reduced shape, or 0-d for a full sum) spread over {@code inputShape},
     * times {@code scale} (1, or 1/n for a mean).
     */
    public static Storage spread(Storage g, long[] inputShape, int dim, double scale) {
        long[] keep = dim < 0 ? Shapes.padLeft(new long[0], inputShape.length) : reducedShape(inputShape, dim, true);
        Storage spread = Elementwise.expand(g.viewAs(keep), inputShape, g.type());
        return scale == 1 ? spread : Elementwise.scale(spread, scale);
    }

    /** Sizes {outer, size, inner} of a row-major array seen along {@code dim}. */
    static int[] split(long[] shape, int dim) {
        if (shape.length == 0) {
            return new int[] {1, 1, 1};
        }
        int inner = 1;
        for (int k = dim + 1; k < shape.length; k++) {
            inner *= (int) shape[k];
        }
        int size = (int) shape[dim];
        int outer = (int) (Shapes.numel(shape) / Math.max(1, (long) size * inner));
        return new int[] {outer, size, inner};
    }

    /** Softmax (or log-softmax) over {@code dim}, after subtracting the maximum so no logit overflows. */
    public static Storage softmax(Storage x, int dim, boolean log) {
        int[] s = split(x.shape(), dim);
        if (x.type() == DataType.FLOAT) {
            return Storage.ofFloats(softmaxFloats(x.floats(), s, log), x.shape());
        }
        double[] v = x.doubles();
        double[] out = new double[v.length];
        for (int o = 0; o < s[0]; o++) {
            for (int i = 0; i < s[2]; i++) {
                int base = o * s[1] * s[2] + i;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < s[1]; j++) {
                    max = Math.max(max, v[base + j * s[2]]);
                }
                double sum = 0;
                for (int j = 0; j < s[1]; j++) {
                    sum += Math.exp(v[base + j * s[2]] - max);
                }
                double logSum = Math.log(sum);
                for (int j = 0; j < s[1]; j++) {
                    int k = base + j * s[2];
                    out[k] = log ? v[k] - max - logSum : Math.exp(v[k] - max) / sum;
                }
            }
        }
        return Storage.owning(out, x.shape(), x.type());
    }

    /**
     * {@link #softmax} of float32 values: sums in float64, one exp per element (kept, then scaled), no float64 copy
     * of the input or the result. The attention weights of a transformer step are a quarter of a million values.
     */
    private static float[] softmaxFloats(float[] v, int[] s, boolean log) {
        float[] out = new float[v.length];
        int stride = s[2];
        for (int o = 0; o < s[0]; o++) {
            for (int i = 0; i < stride; i++) {
                int base = o * s[1] * stride + i;
                float max = Float.NEGATIVE_INFINITY;
                if (stride == 1) {
                    max = FloatMath.get().max(v, base, s[1]);
                } else {
                    for (int j = 0, k = base; j < s[1]; j++, k += stride) {
                        max = Math.max(max, v[k]);
                    }
                }
                // over the last dimension (the common case) one vectorizable pass, see FloatMath
                double sum = stride == 1 ? FloatMath.get().expShifted(v, base, max, out, base, s[1])
                        : expShiftedStrided(v, base, stride, s[1], max, out);
                if (log) {
                    double shift = max + Math.log(sum);
                    for (int j = 0, k = base; j < s[1]; j++, k += stride) {
                        out[k] = (float) ((double) v[k] - shift);
                    }
                } else if (stride == 1) {
                    FloatMath.get().scale(out, base, s[1], 1 / sum);
                } else {
                    double inv = 1 / sum;
                    for (int j = 0, k = base; j < s[1]; j++, k += stride) {
                        out[k] = (float) (out[k] * inv);
                    }
                }
            }
        }
        return out;
    }

    /** {@code out[k] = exp(v[k] - max)} along one strided line, returning their sum. */
    private static double expShiftedStrided(float[] v, int base, int stride, int size, float max, float[] out) {
        double sum = 0;
        for (int j = 0, k = base; j < size; j++, k += stride) {
            double e = Math.exp((double) v[k] - max); // the difference in double: exact
            out[k] = (float) e;
            sum += e;
        }
        return sum;
    }

    /** Softmax's backward {@code y (g - sum(g y))}, or log-softmax's {@code g - exp(y) sum(g)}, over {@code dim}. */
    public static Storage softmaxBackward(Storage g, Storage y, int dim, boolean log) {
        int[] s = split(g.shape(), dim);
        if (g.type() == DataType.FLOAT && y.type() == DataType.FLOAT) {
            return Storage.ofFloats(softmaxBackwardFloats(g.floats(), y.floats(), s, log), g.shape());
        }
        double[] gv = g.doubles();
        double[] yv = y.doubles();
        double[] out = new double[gv.length];
        for (int o = 0; o < s[0]; o++) {
            for (int i = 0; i < s[2]; i++) {
                int base = o * s[1] * s[2] + i;
                double acc = 0;
                for (int j = 0; j < s[1]; j++) {
                    int k = base + j * s[2];
                    acc += log ? gv[k] : gv[k] * yv[k];
                }
                for (int j = 0; j < s[1]; j++) {
                    int k = base + j * s[2];
                    out[k] = log ? gv[k] - Math.exp(yv[k]) * acc : yv[k] * (gv[k] - acc);
                }
            }
        }
        return Storage.owning(out, g.shape(), g.type());
    }

    private static float[] softmaxBackwardFloats(float[] gv, float[] yv, int[] s, boolean log) {
        float[] out = new float[gv.length];
        int stride = s[2];
        for (int o = 0; o < s[0]; o++) {
            for (int i = 0; i < stride; i++) {
                int base = o * s[1] * stride + i;
                if (stride == 1 && !log) {
                    // over the last dimension (attention's weights), in lanes where the JVM allows
                    FloatMath math = FloatMath.get();
                    math.softmaxGrad(gv, base, yv, base, math.dot(gv, base, yv, base, s[1]), out, base, s[1]);
                    continue;
                }
                double acc = 0;
                for (int j = 0, k = base; j < s[1]; j++, k += stride) {
                    acc += log ? gv[k] : (double) gv[k] * yv[k];
                }
                for (int j = 0, k = base; j < s[1]; j++, k += stride) {
                    out[k] = (float) (log ? gv[k] - Math.exp(yv[k]) * acc : yv[k] * (gv[k] - acc));
                }
            }
        }
        return out;
    }

    /** The maxima over {@code dim} (dropped) and, when {@code withIndex}, the int64 positions of the first maxima. */
    public static Storage[] max(Storage x, int dim, boolean withIndex) {
        INDArray in = x.nd();
        Storage values = Storage.of(in.max(false, dim));
        return new Storage[] {values, withIndex ? Storage.of(Nd4j.argMax(in, dim).castTo(DataType.LONG)) : null};
    }

    /** Max's backward: {@code g} (the reduced shape) written at each maximum's position in zeros of {@code inputShape}. */
    public static Storage maxBackward(Storage g, Storage argmax, long[] inputShape, int dim) {
        long[] keep = inputShape.clone();
        keep[dim] = 1;
        long size = inputShape[dim];
        long rows = Shapes.numel(keep);
        double[] gv = g.doubles();
        long[] idx = argmax.nd().dup('c').reshape(-1).toLongVector();
        long inner = 1;
        for (int k = dim + 1; k < inputShape.length; k++) {
            inner *= inputShape[k];
        }
        double[] out = new double[(int) Shapes.numel(inputShape)];
        for (long r = 0; r < rows; r++) {
            long outer = r / inner;
            long in = r % inner;
            out[(int) ((outer * size + idx[(int) r]) * inner + in)] = gv[(int) r];
        }
        return Storage.owning(out, inputShape, g.type());
    }
}

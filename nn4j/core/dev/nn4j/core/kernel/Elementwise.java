package dev.nn4j.core.kernel;

import dev.nn4j.core.Shapes;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise kernels: broadcasting arithmetic, functions of one tensor and their derivatives, comparisons.
 * Internal. float32/float64 run as Java loops over heap arrays, cheaper than any ND4J call at the sizes of a
 * layer's activations; other dtypes, and the CUDA backend's arrays, go through ND4J.
 */
public final class Elementwise {
    private Elementwise() {
    }

    /** Elementwise binary operators with NumPy broadcasting. */
    public enum BinaryOp { ADD, SUB, MUL, DIV }

    /** Comparison operators. */
    public enum CompareOp { GT, GE, LT, LE, EQ }

    /** A function of one value with a parameter {@code p} (an exponent, a slope). */
    @FunctionalInterface
    public interface ScalarFn {
        /** {@code f(x)}. */
        double f(double x, double p);
    }

    /** A derivative that may read the input {@code x}, the output {@code y} or the parameter {@code p}. */
    @FunctionalInterface
    public interface ScalarGrad {
        /** {@code df/dx} at {@code x}, where {@code y = f(x)}. */
        double df(double x, double y, double p);
    }

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
    public static INDArray align(INDArray a, int rank, DataType type) {
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
    /** {@code f} applied to every element of a float32/float64 storage, into a new one of the same type. */
    public static Storage map(Storage in, ScalarFn f, double p) {
        int n = in.size();
        if (in.type() == DataType.FLOAT) {
            float[] x = in.floats();
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = (float) f.f(x[i], p);
            }
            return Storage.ofFloats(out, in.shape());
        }
        double[] x = in.doubles();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = f.f(x[i], p);
        }
        return Storage.ofDoubles(out, in.shape());
    }

    /** The chain rule for {@link #map}: {@code g * df(x, y)} elementwise, in {@code g}'s type. */
    public static Storage mapBackward(Storage g, Storage x, Storage y, ScalarGrad df, double p) {
        int n = g.size();
        if (g.type() == DataType.FLOAT) {
            float[] gv = g.floats();
            float[] xv = x.floats();
            float[] yv = y.floats();
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = (float) (gv[i] * df.df(xv[i], yv[i], p));
            }
            return Storage.ofFloats(out, g.shape());
        }
        double[] gv = g.doubles();
        double[] xv = x.doubles();
        double[] yv = y.doubles();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = gv[i] * df.df(xv[i], yv[i], p);
        }
        return Storage.ofDoubles(out, g.shape());
    }

    /**
     * Sigmoid of a float32 storage (see {@link FloatMath}): a loop of its own because a function object per element
     * (see {@link #map}) cannot be inlined where many kinds share the call, and sigmoid is the activation of
     * LeNet-style networks.
     */
    public static Storage sigmoid(Storage x) {
        float[] xv = x.floats();
        float[] out = new float[xv.length];
        FloatMath.get().sigmoid(xv, 0, out, 0, out.length);
        return Storage.ofFloats(out, x.shape());
    }

    /** tanh of a float32 storage (see {@link FloatMath}). */
    public static Storage tanh(Storage x) {
        float[] xv = x.floats();
        float[] out = new float[xv.length];
        FloatMath.get().tanh(xv, 0, out, 0, out.length);
        return Storage.ofFloats(out, x.shape());
    }

    /** tanh's backward in float32, {@code g (1 - y^2)} for the tanh's output {@code y}. */
    public static Storage tanhBackward(Storage g, Storage y) {
        float[] gv = g.floats();
        float[] yv = y.floats();
        float[] out = new float[gv.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (gv[i] * (1 - (double) yv[i] * yv[i]));
        }
        return Storage.ofFloats(out, g.shape());
    }

    /** Sigmoid's backward in float32, {@code g y (1 - y)} for the sigmoid's output {@code y}. */
    public static Storage sigmoidBackward(Storage g, Storage y) {
        float[] gv = g.floats();
        float[] yv = y.floats();
        float[] out = new float[gv.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (gv[i] * ((double) yv[i] * (1 - (double) yv[i])));
        }
        return Storage.ofFloats(out, g.shape());
    }

    /** Negation, absolute value or ReLU of an integer storage, through ND4J (a new array). */
    public static Storage integerUnary(String op, Storage in) {
        INDArray a = in.nd();
        switch (op) {
            case "neg": return Storage.of(a.neg());
            case "abs": return Storage.of(Transforms.abs(a, true));
            case "relu": return Storage.of(Transforms.relu(a, true));
            default: throw new IllegalArgumentException(op + " is not defined for integer tensors");
        }
    }

    /**
     * {@code s * (mul * scalar / div)}, {@code scalar} a one-element storage (the upstream gradient of a 0-d loss).
     */
    public static Storage scale(Storage s, Storage scalar, double mul, double div) {
        return scale(s, mul * scalar.getDouble(0) / div);
    }

    /**
     * A bool mask of {@code a op b} broadcast to {@code shape}, compared in {@code type}. Through ND4J: comparisons
     * are rare and off the training hot path; NaN compares false, as in PyTorch.
     */
    public static Storage compare(CompareOp op, Storage a, Storage b, long[] shape, DataType type) {
        INDArray x = broadcastTo(a.nd(), shape, type);
        INDArray y = broadcastTo(b.nd(), shape, type);
        INDArray out;
        switch (op) {
            case GT: out = x.gt(y); break;
            case GE: out = either(x.gt(y), x.eq(y)); break;
            case LT: out = x.lt(y); break;
            case LE: out = either(x.lt(y), x.eq(y)); break;
            default: out = x.eq(y); break;
        }
        return Storage.of(out.castTo(DataType.BOOL));
    }

    /** Elementwise OR of two masks (ND4J has no array-array {@code gte}). */
    private static INDArray either(INDArray p, INDArray q) {
        return p.castTo(DataType.INT).addi(q.castTo(DataType.INT)).gt(0);
    }

    /** {@code a} cast to {@code type} and broadcast to {@code shape} (an ND4J view where possible). */
    public static INDArray broadcastTo(INDArray a, long[] shape, DataType type) {
        INDArray x = align(a, shape.length, type);
        return Arrays.equals(x.shape(), shape) ? x : x.broadcast(shape);
    }
}

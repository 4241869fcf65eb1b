package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Kernels;
import dev.nn4j.core.Storage;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise functions of one tensor. Each {@link Kind} holds its forward {@code f} and its derivative
 * {@code df} side by side; the derivative may read the input {@code x} or the output {@code y}, whichever is
 * cheaper. ReLU, the hot one in MLPs, has dedicated float32 loops, forward and backward, in {@link Kernels}.
 */
public final class Unary extends Function {
    /** The elementwise functions, each with its forward and backward. */
    enum Kind {
        NEG("Neg") {
            double f(double x, double p) { return -x; }
            double df(double x, double y, double p) { return -1; }
        },
        ABS("Abs") {
            double f(double x, double p) { return Math.abs(x); }
            // signum(0) = 0: the subgradient PyTorch uses at 0
            double df(double x, double y, double p) { return Math.signum(x); }
        },
        EXP("Exp") {
            double f(double x, double p) { return Math.exp(x); }
            double df(double x, double y, double p) { return y; }
        },
        LOG("Log") {
            double f(double x, double p) { return Math.log(x); }
            double df(double x, double y, double p) { return 1 / x; }
        },
        SQRT("Sqrt") {
            double f(double x, double p) { return Math.sqrt(x); }
            double df(double x, double y, double p) { return 0.5 / y; }
        },
        POW("Pow") {
            double f(double x, double p) { return Math.pow(x, p); }
            double df(double x, double y, double p) { return p == 0 ? 0 : p * Math.pow(x, p - 1); }
        },
        RELU("Relu") {
            double f(double x, double p) { return x > 0 ? x : 0; }
            // the gradient at 0 is 0, as PyTorch's threshold_backward gives
            double df(double x, double y, double p) { return y > 0 ? 1 : 0; }
        },
        SIGMOID("Sigmoid") {
            double f(double x, double p) { return 1 / (1 + Math.exp(-x)); }
            double df(double x, double y, double p) { return y * (1 - y); }
        },
        TANH("Tanh") {
            double f(double x, double p) { return Math.tanh(x); }
            double df(double x, double y, double p) { return 1 - y * y; }
        };

        final String torchName;

        Kind(String torchName) {
            this.torchName = torchName;
        }

        abstract double f(double x, double p);

        abstract double df(double x, double y, double p);
    }

    private final Kind kind;
    private final double p;
    private Storage x;
    private Storage y;

    private Unary(Kind kind, double p) {
        this.kind = kind;
        this.p = p;
    }

    /** PyTorch: {@code -x}. */
    public static Tensor neg(Tensor x) {
        return apply(Kind.NEG, x, 0);
    }

    /** PyTorch: {@code x.abs()}. */
    public static Tensor abs(Tensor x) {
        return apply(Kind.ABS, x, 0);
    }

    /** PyTorch: {@code x.exp()}. */
    public static Tensor exp(Tensor x) {
        return apply(Kind.EXP, x, 0);
    }

    /** PyTorch: {@code x.log()}. */
    public static Tensor log(Tensor x) {
        return apply(Kind.LOG, x, 0);
    }

    /** PyTorch: {@code x.sqrt()}. */
    public static Tensor sqrt(Tensor x) {
        return apply(Kind.SQRT, x, 0);
    }

    /** PyTorch: {@code x ** p}. */
    public static Tensor pow(Tensor x, double p) {
        if (Double.isNaN(p)) {
            throw new IllegalArgumentException("pow: exponent is NaN");
        }
        return apply(Kind.POW, x, p);
    }

    /** PyTorch: {@code x.relu()}. */
    public static Tensor relu(Tensor x) {
        return apply(Kind.RELU, x, 0);
    }

    /** PyTorch: {@code x.sigmoid()}. */
    public static Tensor sigmoid(Tensor x) {
        return apply(Kind.SIGMOID, x, 0);
    }

    /** PyTorch: {@code x.tanh()}. */
    public static Tensor tanh(Tensor x) {
        return apply(Kind.TANH, x, 0);
    }

    private static Tensor apply(Kind kind, Tensor x, double p) {
        Storage in = storage(x);
        Storage out;
        if (in.isFloating()) {
            out = forward(kind, in, p);
        } else if (kind == Kind.NEG || kind == Kind.ABS || kind == Kind.RELU) {
            out = Storage.of(integerForward(kind, in.nd()));
        } else {
            // integers give float32 (as in PyTorch); float16/bfloat16 compute in float32 and keep their type
            in = in.cast(DataType.FLOAT);
            out = forward(kind, in, p);
            if (x.dtype().isFPType()) {
                out = out.cast(x.dtype());
            }
        }
        Unary fn = new Unary(kind, p);
        if (recording(x)) {
            fn.x = fn.save(in);
            fn.y = fn.save(out);
        }
        return record(fn, out, x);
    }

    private static INDArray integerForward(Kind kind, INDArray a) {
        switch (kind) {
            case NEG: return a.neg();
            case ABS: return Transforms.abs(a, true);
            default: return Transforms.relu(a, true);
        }
    }

    private static Storage forward(Kind kind, Storage in, double p) {
        int n = in.size();
        if (in.type() == DataType.FLOAT) {
            if (kind == Kind.RELU) {
                return Kernels.relu(in);
            }
            float[] x = in.floats();
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = (float) kind.f(x[i], p);
            }
            return Storage.ofFloats(out, in.shape());
        }
        double[] x = in.doubles();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = kind.f(x[i], p);
        }
        return Storage.ofDoubles(out, in.shape());
    }

    @Override
    protected Storage[] backward(Storage g) {
        int n = g.size();
        if (g.type() == DataType.FLOAT && kind == Kind.RELU) {
            return new Storage[] {Kernels.reluBackward(g, y)};
        }
        if (g.type() == DataType.FLOAT) {
            float[] gv = g.floats();
            float[] out = new float[n];
            float[] xv = x.floats();
            float[] yv = y.floats();
            for (int i = 0; i < n; i++) {
                out[i] = (float) (gv[i] * kind.df(xv[i], yv[i], p));
            }
            return new Storage[] {Storage.ofFloats(out, g.shape())};
        }
        double[] gv = g.doubles();
        double[] xv = x.doubles();
        double[] yv = y.doubles();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = gv[i] * kind.df(xv[i], yv[i], p);
        }
        return new Storage[] {Storage.ofDoubles(out, g.shape())};
    }

    @Override
    protected void releaseSaved() {
        x = null;
        y = null;
    }

    @Override
    public String name() {
        return kind.torchName + "Backward";
    }
}

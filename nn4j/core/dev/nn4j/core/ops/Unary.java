package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.Elementwise.ScalarFn;
import dev.nn4j.core.kernel.Elementwise.ScalarGrad;
import dev.nn4j.core.kernel.Storage;
import org.apache.commons.math3.special.Erf;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Elementwise functions of one tensor. Each {@link Kind} holds its forward {@code f} and its derivative
 * {@code df} side by side; the derivative may read the input {@code x} or the output {@code y}, whichever is
 * cheaper. ReLU, the hot one in MLPs, has dedicated float32 kernels, forward and backward.
 */
public final class Unary extends Node {
    private static final double SQRT1_2 = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    /** The elementwise functions, each with its forward and backward. */
    enum Kind {
        NEG("Neg", (x, p) -> -x, (x, y, p) -> -1),
        // signum(0) = 0: the subgradient PyTorch uses at 0
        ABS("Abs", (x, p) -> Math.abs(x), (x, y, p) -> Math.signum(x)),
        EXP("Exp", (x, p) -> Math.exp(x), (x, y, p) -> y),
        LOG("Log", (x, p) -> Math.log(x), (x, y, p) -> 1 / x),
        SQRT("Sqrt", (x, p) -> Math.sqrt(x), (x, y, p) -> 0.5 / y),
        POW("Pow", (x, p) -> Math.pow(x, p), (x, y, p) -> p == 0 ? 0 : p * Math.pow(x, p - 1)),
        // the gradient at 0 is 0, as PyTorch's threshold_backward gives
        RELU("Relu", (x, p) -> x > 0 ? x : 0, (x, y, p) -> y > 0 ? 1 : 0),
        SIGMOID("Sigmoid", (x, p) -> 1 / (1 + Math.exp(-x)), (x, y, p) -> y * (1 - y)),
        TANH("Tanh", (x, p) -> Math.tanh(x), (x, y, p) -> 1 - y * y),
        // exact GELU, x Phi(x), as PyTorch's approximate='none'; d/dx = Phi(x) + x phi(x)
        GELU("Gelu", (x, p) -> 0.5 * x * (1 + Erf.erf(x * SQRT1_2)),
                (x, y, p) -> 0.5 * (1 + Erf.erf(x * SQRT1_2)) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI),
        // x sigmoid(x); d/dx = s (1 + x (1 - s))
        SILU("Silu", (x, p) -> x / (1 + Math.exp(-x)),
                (x, y, p) -> {
                    double s = 1 / (1 + Math.exp(-x));
                    return s * (1 + x * (1 - s));
                }),
        // p is the negative slope; the gradient at 0 is the slope, as PyTorch's leaky_relu_backward (x > 0)
        LEAKY_RELU("LeakyRelu", (x, p) -> x > 0 ? x : x * p, (x, y, p) -> x > 0 ? 1 : p),
        // p is alpha; for x <= 0, d/dx = alpha e^x, from x as PyTorch's elu_backward (a rounded output would lose
        // the small values)
        ELU("Elu", (x, p) -> x > 0 ? x : p * Math.expm1(x), (x, y, p) -> x > 0 ? 1 : p * Math.exp(x)),
        // p is beta; above beta x > 20 the identity, as PyTorch's threshold; d/dx = sigmoid(beta x)
        SOFTPLUS("Softplus", (x, p) -> x * p > 20 ? x : Math.log1p(Math.exp(p * x)) / p,
                (x, y, p) -> x * p > 20 ? 1 : 1 / (1 + Math.exp(-p * x)));

        final String torchName;
        final ScalarFn f;
        final ScalarGrad df;

        Kind(String torchName, ScalarFn f, ScalarGrad df) {
            this.torchName = torchName;
            this.f = f;
            this.df = df;
        }
    }

    private final Kind kind;
    private final double p;
    /** Indices of the saved input and output (see {@link #saved}). */
    private int xi;
    private int yi;

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

    /** Exact (erf) GELU. PyTorch: {@code F.gelu(x)}. */
    public static Tensor gelu(Tensor x) {
        return apply(Kind.GELU, x, 0);
    }

    /** PyTorch: {@code F.silu(x)}. */
    public static Tensor silu(Tensor x) {
        return apply(Kind.SILU, x, 0);
    }

    /** PyTorch: {@code F.elu(x, alpha)}. */
    public static Tensor elu(Tensor x, double alpha) {
        if (!Double.isFinite(alpha)) {
            throw new IllegalArgumentException("elu: alpha must be finite, got " + alpha);
        }
        return apply(Kind.ELU, x, alpha);
    }

    /** PyTorch: {@code F.softplus(x, beta)} with its default threshold of 20. */
    public static Tensor softplus(Tensor x, double beta) {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("softplus: beta must be positive and finite, got " + beta);
        }
        return apply(Kind.SOFTPLUS, x, beta);
    }

    /** PyTorch: {@code F.leaky_relu(x, negative_slope)}. */
    public static Tensor leakyRelu(Tensor x, double slope) {
        if (Double.isNaN(slope)) {
            throw new IllegalArgumentException("leaky_relu: negative_slope is NaN");
        }
        return apply(Kind.LEAKY_RELU, x, slope);
    }

    private static Tensor apply(Kind kind, Tensor x, double p) {
        Storage in = storage(x);
        Storage out;
        if (in.isFloating()) {
            out = forward(kind, in, p);
        } else if (kind == Kind.NEG || kind == Kind.ABS || kind == Kind.RELU) {
            out = Elementwise.integerUnary(kind.name().toLowerCase(), in);
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
            fn.xi = fn.save(in);
            fn.yi = fn.save(out);
        }
        return record(fn, out, x);
    }

    private static Storage forward(Kind kind, Storage in, double p) {
        if (in.type() == DataType.FLOAT && kind == Kind.RELU) {
            return Elementwise.relu(in);
        }
        if (in.type() == DataType.FLOAT && kind == Kind.SIGMOID) {
            return Elementwise.sigmoid(in);
        }
        if (in.type() == DataType.FLOAT && kind == Kind.TANH) {
            return Elementwise.tanh(in);
        }
        return Elementwise.map(in, kind.f, p);
    }

    @Override
    protected Storage[] backward(Storage g) {
        if (g.type() == DataType.FLOAT && kind == Kind.RELU) {
            return new Storage[] {Elementwise.reluBackward(g, saved(yi))};
        }
        if (g.type() == DataType.FLOAT && kind == Kind.SIGMOID && saved(yi).type() == DataType.FLOAT) {
            return new Storage[] {Elementwise.sigmoidBackward(g, saved(yi))};
        }
        if (g.type() == DataType.FLOAT && kind == Kind.TANH && saved(yi).type() == DataType.FLOAT) {
            return new Storage[] {Elementwise.tanhBackward(g, saved(yi))};
        }
        return new Storage[] {Elementwise.mapBackward(g, saved(xi), saved(yi), kind.df, p)};
    }

    @Override
    public String name() {
        return kind.torchName + "Backward";
    }
}

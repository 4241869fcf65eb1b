package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise functions of one tensor. Each {@link Kind} holds its forward and its derivative side by side;
 * the derivative may read the input {@code x} or the output {@code y}, whichever is cheaper.
 */
public final class Unary extends Function {
    /** The elementwise functions, each with its forward and backward. */
    enum Kind {
        NEG("Neg") {
            INDArray forward(INDArray x, double p) { return x.neg(); }
            INDArray backward(INDArray g, INDArray x, INDArray y, double p) { return g.neg(); }
        },
        ABS("Abs") {
            INDArray forward(INDArray x, double p) { return Transforms.abs(x, true); }
            // sign(0) = 0: the subgradient PyTorch uses at 0
            INDArray backward(INDArray g, INDArray x, INDArray y, double p) { return g.mul(Transforms.sign(x, true)); }
        },
        EXP("Exp") {
            INDArray forward(INDArray x, double p) { return Transforms.exp(x, true); }
            INDArray backward(INDArray g, INDArray x, INDArray y, double p) { return g.mul(y); }
        },
        LOG("Log") {
            INDArray forward(INDArray x, double p) { return Transforms.log(x, true); }
            INDArray backward(INDArray g, INDArray x, INDArray y, double p) { return g.div(x); }
        },
        SQRT("Sqrt") {
            INDArray forward(INDArray x, double p) { return Transforms.sqrt(x, true); }
            INDArray backward(INDArray g, INDArray x, INDArray y, double p) { return g.div(y.mul(2)); }
        },
        POW("Pow") {
            INDArray forward(INDArray x, double p) { return Transforms.pow(x, p, true); }
            INDArray backward(INDArray g, INDArray x, INDArray y, double p) {
                return p == 0 ? g.mul(0) : g.mul(Transforms.pow(x, p - 1, true)).muli(p);
            }
        },
        RELU("Relu") {
            INDArray forward(INDArray x, double p) { return Transforms.relu(x, true); }
            // the gradient at 0 is 0, as PyTorch's threshold_backward gives
            INDArray backward(INDArray g, INDArray x, INDArray y, double p) {
                return g.mul(y.gt(0).castTo(g.dataType()));
            }
        },
        SIGMOID("Sigmoid") {
            INDArray forward(INDArray x, double p) { return Transforms.sigmoid(x, true); }
            INDArray backward(INDArray g, INDArray x, INDArray y, double p) { return g.mul(y.rsub(1).muli(y)); }
        },
        TANH("Tanh") {
            INDArray forward(INDArray x, double p) { return Transforms.tanh(x, true); }
            INDArray backward(INDArray g, INDArray x, INDArray y, double p) { return g.mul(y.mul(y).rsubi(1)); }
        };

        final String torchName;

        Kind(String torchName) {
            this.torchName = torchName;
        }

        abstract INDArray forward(INDArray x, double p);

        abstract INDArray backward(INDArray g, INDArray x, INDArray y, double p);
    }

    private final Kind kind;
    private final double p;
    private INDArray x;
    private INDArray y;

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
        INDArray in = x.array();
        boolean keepsType = kind == Kind.NEG || kind == Kind.ABS || kind == Kind.RELU;
        if (!keepsType && !in.dataType().isFPType()) {
            in = in.castTo(DataType.FLOAT);
        }
        INDArray out = kind.forward(in, p);
        Unary fn = new Unary(kind, p);
        if (recording(x)) {
            fn.x = in;
            fn.y = out;
        }
        return record(fn, out, x);
    }

    @Override
    protected INDArray[] backward(INDArray g) {
        return new INDArray[] {kind.backward(g, x, y, p)};
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

package dev.nn4j.nn;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.Node;
import dev.nn4j.core.ops.Addmm;
import dev.nn4j.core.ops.Binary;
import dev.nn4j.core.ops.Cast;
import dev.nn4j.core.ops.Cat;
import dev.nn4j.core.ops.Compare;
import dev.nn4j.core.ops.CrossEntropy;
import dev.nn4j.core.ops.Index;
import dev.nn4j.core.ops.MatMul;
import dev.nn4j.core.ops.Max;
import dev.nn4j.core.ops.MseLoss;
import dev.nn4j.core.ops.Reduce;
import dev.nn4j.core.ops.Reshape;
import dev.nn4j.core.ops.SoftmaxOp;
import dev.nn4j.core.ops.ToDevice;
import dev.nn4j.core.ops.Transpose;
import dev.nn4j.core.ops.Unary;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Stateless functions behind the layers. PyTorch: {@code torch.nn.functional} (imported as {@code F}).
 */
public final class Functional {
    private Functional() {
    }

    /** PyTorch: {@code F.relu(x)}. */
    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    /** PyTorch: {@code torch.sigmoid(x)}. */
    public static Tensor sigmoid(Tensor x) {
        return x.sigmoid();
    }

    /** PyTorch: {@code torch.tanh(x)}. */
    public static Tensor tanh(Tensor x) {
        return x.tanh();
    }

    /** PyTorch: {@code F.softmax(x, dim)}. */
    public static Tensor softmax(Tensor x, int dim) {
        return x.softmax(dim);
    }

    /** PyTorch: {@code F.log_softmax(x, dim)}. */
    public static Tensor logSoftmax(Tensor x, int dim) {
        return x.logSoftmax(dim);
    }

    /** {@code x W^T + b} as one fused gemm; {@code bias} may be null. PyTorch: {@code F.linear(x, weight, bias)}. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return Addmm.apply(x, weight, bias);
    }

    /**
     * Inverted dropout: in training, zero with probability {@code p} and scale survivors by {@code 1/(1-p)};
     * otherwise return {@code x} itself. PyTorch: {@code F.dropout(x, p, training)}.
     */
    public static Tensor dropout(Tensor x, double p, boolean training) {
        checkDropout(p);
        if (!training || p == 0) {
            return x;
        }
        if (p == 1) {
            return x.mul(0);
        }
        double[] keep = new double[(int) x.numel()];
        Rng.bernoulli(keep, 1 - p);
        DataType type = x.dtype().isFPType() ? x.dtype() : DataType.FLOAT;
        Tensor mask = Tensor.of(keep.length == 0 ? Nd4j.create(type, x.shape())
                : Nd4j.create(keep, x.shape(), DataType.DOUBLE).castTo(type).muli(1.0 / (1 - p))).to(x.device());
        return x.mul(mask);
    }

    static void checkDropout(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
    }

    /** Mean squared error, mean reduction. PyTorch: {@code F.mse_loss(input, target)}. */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, "mean");
    }

    /** Mean squared error with {@code "mean"}, {@code "sum"} or {@code "none"}. PyTorch: {@code F.mse_loss(..., reduction)}. */
    public static Tensor mseLoss(Tensor input, Tensor target, String reduction) {
        return MseLoss.apply(input, target, reduction);
    }

    /**
     * Cross entropy of logits {@code [N, C]} and int64 class indices {@code [N]}, mean over the batch.
     * PyTorch: {@code F.cross_entropy(logits, target)}.
     *
     * @throws IllegalArgumentException naming any class index outside [0, C)
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return CrossEntropy.apply(logits, target);
    }

    /** A double as Python prints it ({@code 0.5}, {@code 1.0}, {@code 1e-05}), for printed trees. */
    static String pythonFloat(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e16) {
            return (long) v + ".0";
        }
        String s = Double.toString(v);
        if (s.contains("E")) {
            String[] parts = s.split("E");
            String mant = parts[0].endsWith(".0") ? parts[0].substring(0, parts[0].length() - 2) : parts[0];
            int exp = Integer.parseInt(parts[1]);
            return mant + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
        }
        return s;
    }

    // ---------------------------------------------------------------- the op table

    /**
     * Every differentiable op, by the name of its case in a PyTorch fixture ({@code *ops_float64.json}): the role
     * PyTorch's {@code derivatives.yaml} plays. It drives the parity tests (values and every gradient against
     * PyTorch's, and a float64 finite-difference check) and the coverage check (every op class of
     * {@code dev.nn4j.core.ops} is named here or in {@link #NOT_IN_TABLE}; every case has a fixture and every
     * fixture case a row). A new op adds its row here, beside its entry point.
     */
    static final List<OpCase> OPS = List.of(
            OpCase.of("add_broadcast_row", Binary.class, (x, a) -> x[0].add(x[1])),
            OpCase.of("add_broadcast_col", Binary.class, (x, a) -> x[0].add(x[1])),
            OpCase.of("sub", Binary.class, (x, a) -> x[0].sub(x[1])),
            OpCase.of("mul_broadcast", Binary.class, (x, a) -> x[0].mul(x[1])),
            OpCase.of("div", Binary.class, (x, a) -> x[0].div(x[1])),
            OpCase.of("matmul", MatMul.class, (x, a) -> x[0].matmul(x[1])),
            OpCase.of("matmul_batched", MatMul.class, (x, a) -> x[0].matmul(x[1])),
            OpCase.of("relu", Unary.class, (x, a) -> relu(x[0])).nearKinks(),
            OpCase.of("sigmoid", Unary.class, (x, a) -> sigmoid(x[0])),
            OpCase.of("tanh", Unary.class, (x, a) -> tanh(x[0])),
            OpCase.of("exp", Unary.class, (x, a) -> x[0].exp()),
            OpCase.of("log", Unary.class, (x, a) -> x[0].log()),
            OpCase.of("pow3", Unary.class, (x, a) -> x[0].pow(3)),
            OpCase.of("sqrt", Unary.class, (x, a) -> x[0].sqrt()),
            OpCase.of("abs", Unary.class, (x, a) -> x[0].abs()).nearKinks(),
            OpCase.of("neg", Unary.class, (x, a) -> x[0].neg()),
            OpCase.of("sum_all", Reduce.class, (x, a) -> x[0].sum()),
            OpCase.of("mean_all", Reduce.class, (x, a) -> x[0].mean()),
            OpCase.of("sum_dim1_keepdim", Reduce.class, (x, a) -> x[0].sum(1, true)),
            OpCase.of("mean_dim0", Reduce.class, (x, a) -> x[0].mean(0, false)),
            OpCase.of("max_dim1", Max.class, (x, a) -> x[0].max(1)).nearKinks(),
            OpCase.of("transpose", Transpose.class, (x, a) -> x[0].t()),
            OpCase.of("reshape", Reshape.class, (x, a) -> x[0].reshape(2, -1)),
            OpCase.of("cat_dim1", Cat.class, (x, a) -> Tensor.cat(1, x[0], x[1])),
            OpCase.of("index_row", Index.class, (x, a) -> x[0].get(a.i("row"))),
            OpCase.of("slice_columns", Index.class,
                    (x, a) -> x[0].get(NDArrayIndex.all(), NDArrayIndex.interval(a.i("start"), a.i("end")))),
            OpCase.of("softmax_dim1", SoftmaxOp.class, (x, a) -> softmax(x[0], 1)),
            OpCase.of("log_softmax_dim1", SoftmaxOp.class, (x, a) -> logSoftmax(x[0], 1)),
            OpCase.of("linear", Addmm.class, (x, a) -> linear(x[0], x[1], x[2])),
            OpCase.of("mse_loss", MseLoss.class, (x, a) -> mseLoss(x[0], x[1])),
            // in eval, dropout is its input itself: no op of its own runs
            OpCase.of("dropout_eval", null, (x, a) -> dropout(x[0], 0.5, false)),
            OpCase.of("cross_entropy_mean", CrossEntropy.class, (x, a) -> crossEntropy(x[0], a.tensor("target"))));

    /** The op classes with no row in {@link #OPS}, and why each is checked elsewhere. */
    static final Map<Class<? extends Node>, String> NOT_IN_TABLE = Map.of(
            Compare.class, "never recorded: a comparison's mask has no gradient (AutogradTest, EdgeCaseTest)",
            Cast.class, "a dtype conversion whose backward casts back (AutogradTest, the float16 tests)",
            ToDevice.class, "a device copy; checked on the simulated devices (DevicesTest)");
}

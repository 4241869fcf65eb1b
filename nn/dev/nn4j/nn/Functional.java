package dev.nn4j.nn;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.ops.CrossEntropy;
import dev.nn4j.core.ops.Addmm;
import dev.nn4j.core.ops.MseLoss;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

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
}

package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Kernels;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code y = x W^T + b}, fused as PyTorch's addmm: one gemm with the transpose flag on {@code W}, then the bias.
 * Backward: {@code dx = g W}, {@code dW = g^T x} (gemms with transpose flags), {@code db = sum(g, 0)}.
 * Inputs of more than 2 dimensions are folded to {@code [N, in]} and unfolded after.
 */
public final class Linear extends Function {
    private INDArray x2;
    private INDArray w;
    private final long[] inputShape;
    private final boolean hasBias;

    private Linear(long[] inputShape, boolean hasBias) {
        this.inputShape = inputShape;
        this.hasBias = hasBias;
    }

    /** PyTorch: {@code F.linear(x, weight, bias)}; {@code bias} may be null. */
    public static Tensor apply(Tensor x, Tensor weight, Tensor bias) {
        sameDevice("linear", x, weight, bias);
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("linear: weight must be 2-D [out_features, in_features], got shape "
                    + Shapes.str(weight.shape()));
        }
        long out = weight.size(0);
        long in = weight.size(1);
        if (x.dim() == 0 || x.size(-1) != in) {
            throw new IllegalArgumentException("linear: input has " + (x.dim() == 0 ? 0 : x.size(-1))
                    + " features, expected " + in + " (input shape " + Shapes.str(x.shape()) + ", weight shape "
                    + Shapes.str(weight.shape()) + ")");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != out)) {
            throw new IllegalArgumentException("linear: bias must have shape [" + out + "], got "
                    + Shapes.str(bias.shape()));
        }
        if (x.dtype() != weight.dtype() || (bias != null && bias.dtype() != weight.dtype())) {
            throw new IllegalArgumentException("linear: expected input, weight and bias of one dtype, got input "
                    + x.dtype() + ", weight " + weight.dtype() + (bias == null ? "" : ", bias " + bias.dtype()));
        }
        long[] xs = x.shape();
        INDArray x2 = xs.length == 2 ? x.array() : x.array().reshape('c', -1, in);
        INDArray y = Kernels.gemm(x2, weight.array(), false, true);
        if (bias != null) {
            y.addiRowVector(bias.array());
        }
        if (xs.length != 2) {
            long[] os = xs.clone();
            os[os.length - 1] = out;
            y = y.reshape('c', os);
        }
        Linear fn = new Linear(xs, bias != null);
        if (recording(x, weight, bias)) {
            fn.x2 = x2;
            fn.w = weight.array();
        }
        return bias == null ? record(fn, y, x, weight) : record(fn, y, x, weight, bias);
    }

    @Override
    protected INDArray[] backward(INDArray g) {
        INDArray g2 = g.rank() == 2 ? g : g.reshape('c', -1, g.size(g.rank() - 1));
        INDArray gx = needsInputGrad(0) ? Kernels.gemm(g2, w, false, false) : null;
        if (gx != null && inputShape.length != 2) {
            gx = gx.reshape('c', inputShape);
        }
        INDArray gw = needsInputGrad(1) ? Kernels.gemm(g2, x2, true, false) : null;
        if (!hasBias) {
            return new INDArray[] {gx, gw};
        }
        return new INDArray[] {gx, gw, needsInputGrad(2) ? g2.sum(0) : null};
    }

    @Override
    protected void releaseSaved() {
        x2 = null;
        w = null;
    }

    @Override
    public String name() {
        return hasBias ? "AddmmBackward" : "MmBackward";
    }
}

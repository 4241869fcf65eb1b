package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Kernels;
import dev.nn4j.core.Kernels.BinaryOp;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Softmax and log-softmax over one dimension, both computed after subtracting the maximum so that large
 * logits never overflow. Backward: {@code y * (g - sum(g * y))} and {@code g - exp(y) * sum(g)}.
 */
public final class Softmax extends Function {
    private final boolean log;
    private final int dim;
    private INDArray y;

    private Softmax(boolean log, int dim) {
        this.log = log;
        this.dim = dim;
    }

    /** PyTorch: {@code F.softmax(x, dim)}. */
    public static Tensor softmax(Tensor x, int dim) {
        return apply(x, dim, false);
    }

    /** PyTorch: {@code F.log_softmax(x, dim)}. */
    public static Tensor logSoftmax(Tensor x, int dim) {
        return apply(x, dim, true);
    }

    private static Tensor apply(Tensor x, int dim, boolean log) {
        int d = Shapes.dim(log ? "log_softmax" : "softmax", dim, x.dim());
        INDArray in = x.array().castTo(Promote.floating(x.dtype()));
        if (x.dim() == 0) {
            in = in.reshape(1);
        }
        INDArray shifted = Kernels.binary(BinaryOp.SUB, in, in.max(true, d), in.shape(), in.dataType());
        INDArray e = Transforms.exp(shifted, true);
        INDArray s = e.sum(true, d);
        INDArray out = log
                ? Kernels.binary(BinaryOp.SUB, shifted, Transforms.log(s, false), in.shape(), in.dataType())
                : Kernels.binary(BinaryOp.DIV, e, s, in.shape(), in.dataType());
        if (x.dim() == 0) {
            out = out.reshape();
        }
        Softmax fn = new Softmax(log, d);
        fn.y = out;
        return record(fn, out, x);
    }

    @Override
    protected INDArray[] backward(INDArray g) {
        INDArray gg = g.rank() == 0 ? g.reshape(1) : g;
        INDArray yy = y.rank() == 0 ? y.reshape(1) : y;
        INDArray gx;
        if (log) {
            INDArray sum = gg.sum(true, dim);
            gx = gg.sub(Kernels.binary(BinaryOp.MUL, Transforms.exp(yy, true), sum, yy.shape(), yy.dataType()));
        } else {
            INDArray dot = gg.mul(yy).sum(true, dim);
            gx = Kernels.binary(BinaryOp.SUB, gg, dot, gg.shape(), gg.dataType()).muli(yy);
        }
        return new INDArray[] {g.rank() == 0 ? gx.reshape() : gx};
    }

    @Override
    protected void releaseSaved() {
        y = null;
    }

    @Override
    public String name() {
        return log ? "LogSoftmaxBackward" : "SoftmaxBackward";
    }
}

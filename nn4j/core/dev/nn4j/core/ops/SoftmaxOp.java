package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Reductions;
import dev.nn4j.core.kernel.Storage;

/**
 * Softmax and log-softmax over one dimension, both computed after subtracting the maximum so that large
 * logits never overflow. Backward: {@code y * (g - sum(g * y))} and {@code g - exp(y) * sum(g)}. (The module is
 * {@code nn.Softmax}; hence the suffix.)
 */
public final class SoftmaxOp extends Node {
    private final boolean log;
    private final int dim;
    /** Index of the saved output (see {@link #saved}). */
    private int yi;

    private SoftmaxOp(boolean log, int dim) {
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
        Storage in = storage(x).cast(Promote.floating(x.dtype()));
        Storage y = Reductions.softmax(in, d, log);
        SoftmaxOp fn = new SoftmaxOp(log, d);
        if (recording(x)) {
            fn.yi = fn.save(y);
        }
        return record(fn, y, x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Reductions.softmaxBackward(g, saved(yi), dim, log)};
    }

    @Override
    public String name() {
        return log ? "LogSoftmaxBackward" : "SoftmaxBackward";
    }
}

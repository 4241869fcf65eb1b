package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Storage;
import dev.nn4j.core.Tensor;

/**
 * Softmax and log-softmax over one dimension, both computed after subtracting the maximum so that large
 * logits never overflow. Backward: {@code y * (g - sum(g * y))} and {@code g - exp(y) * sum(g)}.
 */
public final class Softmax extends Function {
    private final boolean log;
    private final int dim;
    private Storage y;

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

    /** Sizes {outer, size, inner} of a row-major array seen along {@code dim}. */
    private static int[] split(long[] shape, int dim) {
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

    private static Tensor apply(Tensor x, int dim, boolean log) {
        int d = Shapes.dim(log ? "log_softmax" : "softmax", dim, x.dim());
        Storage in = storage(x).cast(Promote.floating(x.dtype()));
        int[] s = split(x.shape(), d);
        double[] v = in.doubles();
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
        Softmax fn = new Softmax(log, d);
        Storage y = Storage.fromDoubles(out, x.shape(), in.type());
        fn.y = fn.save(y);
        return record(fn, y, x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        int[] s = split(g.shape(), dim);
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
        return new Storage[] {Storage.fromDoubles(out, g.shape(), g.type())};
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

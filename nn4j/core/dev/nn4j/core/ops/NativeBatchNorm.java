package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Norms;
import dev.nn4j.core.kernel.Storage;

/**
 * Batch normalization over {@code [N, C, *]}: per channel, with the batch's statistics in training (the running
 * statistics move toward them in place) or the running ones in eval; then the per-channel affine. Named after
 * PyTorch's backward node; the modules are {@code nn.BatchNorm1d/2d}.
 */
public final class NativeBatchNorm extends Node {
    private final boolean training;
    /** Indices of the saved input, weight, mean and inverse standard deviation (see {@link #saved}). */
    private int xi;
    private int wi = -1;
    private int meanIndex;
    private int invstdIndex;

    private NativeBatchNorm(boolean training) {
        this.training = training;
    }

    /**
     * PyTorch: {@code F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)}. Running
     * statistics, weight and bias may each be null (in eval the running statistics are required).
     */
    public static Tensor apply(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                               boolean training, double momentum, double eps) {
        sameDevice("batch_norm", x, runningMean, runningVar, weight, bias);
        if (x.dim() < 2) {
            throw new IllegalArgumentException("batch_norm: expected input of at least 2 dimensions [N, C, *], got "
                    + "shape " + Shapes.str(x.shape()));
        }
        if (!x.dtype().isFPType()) {
            throw new IllegalArgumentException("batch_norm: expected a floating input, got " + x.dtype());
        }
        long c = x.size(1);
        for (Tensor t : new Tensor[] {runningMean, runningVar, weight, bias}) {
            if (t != null && (t.dim() != 1 || t.size(0) != c)) {
                throw new IllegalArgumentException("batch_norm: expected per-channel tensors of shape [" + c
                        + "] for input " + Shapes.str(x.shape()) + ", got " + Shapes.str(t.shape()));
            }
        }
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException("batch_norm: running_mean and running_var must be defined in "
                    + "evaluation mode");
        }
        if (training && x.numel() / Math.max(1, c) <= 1) {
            throw new IllegalArgumentException("batch_norm: Expected more than 1 value per channel when training, "
                    + "got input size " + Shapes.str(x.shape()));
        }
        Storage[] r = Norms.batchNorm(storage(x), weight == null ? null : storage(weight),
                bias == null ? null : storage(bias), runningMean == null ? null : storage(runningMean),
                runningVar == null ? null : storage(runningVar), training, momentum, eps);
        NativeBatchNorm fn = new NativeBatchNorm(training);
        if (recording(x, weight, bias)) {
            fn.xi = fn.save(storage(x));
            if (weight != null) {
                fn.wi = fn.save(storage(weight));
            }
            fn.meanIndex = fn.save(r[1]);
            fn.invstdIndex = fn.save(r[2]);
        }
        return record(fn, r[0], x, weight, bias);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return Norms.batchNormBackward(g, saved(xi), wi < 0 ? null : saved(wi), saved(meanIndex),
                saved(invstdIndex), training, needsInputGrad(0), needsInputGrad(1), needsInputGrad(2));
    }

    @Override
    public String name() {
        return "NativeBatchNormBackward";
    }
}

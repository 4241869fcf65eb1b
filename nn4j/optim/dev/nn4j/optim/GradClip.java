package dev.nn4j.optim;

import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.Storage;
import dev.nn4j.nn.Parameter;
import java.nio.DoubleBuffer;
import java.util.List;

/**
 * Gradient clipping before an optimizer step, in place on the parameters' gradients (without handing them out, so
 * their buffers stay reused). PyTorch: {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}.
 */
public final class GradClip {
    private GradClip() {
    }

    /** {@link #clipGradNorm(List, double, double)} with the 2-norm. PyTorch: {@code clip_grad_norm_(params, max_norm)}. */
    public static double clipGradNorm(List<Parameter> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2);
    }

    /**
     * Scales every gradient by {@code min(1, maxNorm / (total + 1e-6))}, where {@code total} is the
     * {@code normType}-norm of all gradients together (as if concatenated; {@code Double.POSITIVE_INFINITY} for the
     * largest magnitude). Parameters without a gradient are skipped. PyTorch:
     * {@code clip_grad_norm_(params, max_norm, norm_type)}.
     *
     * @return the total norm before clipping
     * @throws IllegalArgumentException for a negative or NaN {@code maxNorm} or a {@code normType} below 1
     */
    public static double clipGradNorm(List<Parameter> params, double maxNorm, double normType) {
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("clipGradNorm: max_norm must be >= 0, got " + maxNorm);
        }
        if (!(normType >= 1)) {
            throw new IllegalArgumentException("clipGradNorm: norm_type must be >= 1 (or infinity), got " + normType);
        }
        boolean inf = Double.isInfinite(normType);
        double acc = 0;
        for (Parameter p : params) {
            Storage g = p.gradStorage();
            if (g == null) {
                continue;
            }
            // each gradient's own norm first, then the norm of those norms: PyTorch's order of summation
            DoubleBuffer v = g.readDoubles();
            double own = 0;
            for (int i = 0; i < g.size(); i++) {
                double a = Math.abs(v.get(i));
                own = inf ? Math.max(own, a) : own + Math.pow(a, normType);
            }
            own = inf ? own : Math.pow(own, 1 / normType);
            acc = inf ? Math.max(acc, own) : acc + Math.pow(own, normType);
        }
        double total = inf ? acc : Math.pow(acc, 1 / normType);
        double coef = Math.min(1.0, maxNorm / (total + 1e-6));
        for (Parameter p : params) {
            Storage g = p.gradStorage();
            if (g != null) {
                g.binaryInto(Elementwise.BinaryOp.MUL, Storage.scalar(coef, g.type()));
            }
        }
        return total;
    }

    /**
     * Clamps every gradient element to {@code [-clipValue, clipValue]}. PyTorch: {@code clip_grad_value_(params,
     * clip_value)}.
     */
    public static void clipGradValue(List<Parameter> params, double clipValue) {
        if (!(clipValue >= 0)) {
            throw new IllegalArgumentException("clipGradValue: clip_value must be >= 0, got " + clipValue);
        }
        for (Parameter p : params) {
            Storage g = p.gradStorage();
            if (g != null) {
                g.clampInPlace(-clipValue, clipValue);
            }
        }
    }
}

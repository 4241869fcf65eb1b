package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Blas;
import dev.nn4j.core.kernel.GradTarget;
import dev.nn4j.core.kernel.Reductions;
import dev.nn4j.core.kernel.Storage;

/**
 * {@code y = x W^T + b}, fused as PyTorch's addmm: the bias is written into the output and one gemm (transpose
 * flag on {@code W}) accumulates onto it. Backward: {@code dx = g W}, {@code dW = g^T x} (gemms with transpose
 * flags), {@code db = sum(g, 0)}. Inputs of more than 2 dimensions are treated as {@code [N, in]} rows. Named after
 * PyTorch's backward node ({@code AddmmBackward}); the module is {@code nn.Linear}.
 */
public final class Addmm extends Node {
    /** Indices of the saved input and weight (see {@link #saved}). */
    private int xi;
    private int wi;
    private final long[] inputShape;
    private final boolean hasBias;

    private Addmm(long[] inputShape, boolean hasBias) {
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
        long[] xs = storage(x).shape(); // not copied: a storage's shape never changes
        int rows = (int) Shapes.rows(xs);
        Storage y = Blas.gemmInto(storage(x), storage(weight), false, true, rows, (int) out, (int) in,
                bias == null ? null : storage(bias));
        if (xs.length != 2) {
            long[] os = xs.clone();
            os[os.length - 1] = out;
            y = y.viewAs(os);
        }
        Addmm fn = new Addmm(xs, bias != null);
        if (recording(x, weight, bias)) {
            fn.xi = fn.save(storage(x));
            fn.wi = fn.save(storage(weight));
        }
        return bias == null ? record(fn, y, x, weight) : record(fn, y, x, weight, bias);
    }

    @Override
    protected Storage[] backward(Storage g) {
        Storage w = saved(wi);
        Storage x = saved(xi);
        long[] ws = w.shape();
        int out = (int) ws[0];
        int in = (int) ws[1];
        int rows = (int) Shapes.rows(inputShape);
        Storage gx = null;
        if (needsInputGrad(0)) {
            gx = Blas.gemmInto(g, w, false, false, rows, in, out, null);
            if (inputShape.length != 2) {
                gx = gx.viewAs(inputShape); // only then: a view is shared, and the next op could not reuse gx
            }
        }
        GradTarget biasTarget = hasBias && needsInputGrad(2) ? gradTarget(2) : null;
        Storage gb = hasBias && needsInputGrad(2) && biasTarget == null
                ? Reductions.sumDim(g.viewAs(new long[] {rows, out}), 0, false) : null;
        Storage gw = null;
        GradTarget weightTarget = needsInputGrad(1) ? gradTarget(1) : null;
        if (needsInputGrad(1) && weightTarget == null) {
            gw = Blas.gemmInto(g, x, true, false, out, in, rows, null);
        }
        // straight into the parameters' grad buffers: no result to allocate, copy or add. Last, so that nothing
        // can fail after a leaf's gradient has changed
        if (weightTarget != null) {
            Blas.gemmTo(g, x, true, false, out, in, rows, weightTarget.storage(), weightTarget.accumulate());
            weightTarget.markWritten();
        }
        if (biasTarget != null) {
            Reductions.sumRowsTo(g, rows, out, biasTarget.storage(), biasTarget.accumulate());
            biasTarget.markWritten();
        }
        return hasBias ? new Storage[] {gx, gw, gb} : new Storage[] {gx, gw};
    }

    @Override
    protected boolean writesGradInPlace(int i) {
        return i == 1 || i == 2;
    }

    @Override
    public String name() {
        return hasBias ? "AddmmBackward" : "MmBackward";
    }
}

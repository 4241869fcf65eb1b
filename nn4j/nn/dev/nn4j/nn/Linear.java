package dev.nn4j.nn;

import dev.nn4j.core.Tensor;
import dev.nn4j.init.Init;

/**
 * A fully connected layer: {@code y = x W^T + b}, over the last dimension of {@code x}.
 *
 * <p>PyTorch: {@code nn.Linear(in_features, out_features, bias=True)}. Shape: input {@code [*, in]}, output
 * {@code [*, out]}. Weight {@code [out, in]} and bias {@code [out]} start as U(-1/sqrt(in), 1/sqrt(in)), which is
 * what PyTorch's {@code kaiming_uniform_(a=sqrt(5))} amounts to. Forward is one fused gemm plus the bias.
 * <pre>{@code
 * Linear fc = new Linear(20, 256);
 * Tensor y = fc.call(Tensor.rand(2, 20));   // [2, 256]
 * }</pre>
 */
public class Linear extends Module {
    protected long inFeatures;
    protected final long outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    /** A layer with bias. PyTorch: {@code nn.Linear(in, out)}. */
    public Linear(long inFeatures, long outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    /** PyTorch: {@code nn.Linear(in, out, bias)}. */
    public Linear(long inFeatures, long outFeatures, boolean bias) {
        checkFeatures(inFeatures, outFeatures);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", new Parameter(Tensor.zeros(outFeatures, inFeatures)));
        this.bias = bias ? registerParameter("bias", new Parameter(Tensor.zeros(outFeatures))) : null;
        resetParameters();
    }

    /** For {@link LazyLinear}: parameters registered as placeholders, shaped at the first call. */
    Linear(long outFeatures, boolean bias, Parameter weight, Parameter biasParam) {
        checkFeatures(0, outFeatures);
        this.inFeatures = 0;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", weight);
        this.bias = bias ? registerParameter("bias", biasParam) : null;
    }

    private static void checkFeatures(long in, long out) {
        if (in < 0 || out < 0) {
            throw new IllegalArgumentException("Linear: in_features and out_features must be >= 0, got in_features="
                    + in + ", out_features=" + out);
        }
    }

    /** Re-draws weight and bias from U(-1/sqrt(in), 1/sqrt(in)). PyTorch: {@code reset_parameters()}. */
    public void resetParameters() {
        // equals kaiming_uniform_(w, a=sqrt(5)): gain sqrt(2/6) * sqrt(3/fan_in) = 1/sqrt(fan_in)
        double bound = inFeatures > 0 ? 1.0 / Math.sqrt(inFeatures) : 0;
        Init.uniform(weight, -bound, bound);
        if (bias != null) {
            Init.uniform(bias, -bound, bound);
        }
    }

    /** The weight, {@code [out, in]}. PyTorch: {@code linear.weight}. */
    public Parameter weight() {
        checkInitialized();
        return weight;
    }

    /** The bias, {@code [out]}, or null when built without one. PyTorch: {@code linear.bias}. */
    public Parameter bias() {
        checkInitialized();
        return bias;
    }

    /** Input size. PyTorch: {@code linear.in_features}. */
    public long inFeatures() {
        return inFeatures;
    }

    /** Output size. PyTorch: {@code linear.out_features}. */
    public long outFeatures() {
        return outFeatures;
    }

    /** Lazy subclasses return false until their shapes are known. */
    public boolean isInitialized() {
        return true;
    }

    void checkInitialized() {
    }

    @Override
    protected void prepare(Tensor x) {
        if (x.dim() == 0 || x.size(-1) != inFeatures) {
            throw new IllegalArgumentException("input has " + (x.dim() == 0 ? 0 : x.size(-1)) + " features, expected "
                    + inFeatures + " (input shape " + dev.nn4j.core.Shapes.str(x.shape()) + ")");
        }
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.linear(x, weight, bias);
    }

    @Override
    public String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias != null ? "True" : "False");
    }
}

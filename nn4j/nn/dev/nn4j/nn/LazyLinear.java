package dev.nn4j.nn;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A {@link Linear} whose {@code in_features} is inferred from the first input (or from a loaded state dict).
 *
 * <p>PyTorch: {@code nn.LazyLinear(out_features)}. Before initialization it prints as
 * {@code LazyLinear(in_features=0, ...)} and {@link #weight()} refuses; afterwards it prints and behaves as
 * {@code Linear}. Its {@code Parameter} objects exist from the start and keep their identity when they get their
 * shape, so an optimizer built early still updates them. Initializing draws random numbers at the first call,
 * which changes the order of draws relative to an eager model (as in PyTorch).
 */
public class LazyLinear extends Linear {
    private volatile boolean initialized;

    /** PyTorch: {@code nn.LazyLinear(out_features)}. */
    public LazyLinear(long outFeatures) {
        this(outFeatures, true);
    }

    /** PyTorch: {@code nn.LazyLinear(out_features, bias)}. */
    public LazyLinear(long outFeatures, boolean bias) {
        super(outFeatures, bias, Parameter.uninitialized(DataType.FLOAT),
                bias ? Parameter.uninitialized(DataType.FLOAT) : null);
    }

    @Override
    public boolean isInitialized() {
        return initialized;
    }

    @Override
    void checkInitialized() {
        if (!initialized) {
            throw new IllegalStateException("LazyLinear(out_features=" + outFeatures + ") has not been fully "
                    + "initialized: its in_features (and so its parameters' shapes) are inferred at the first call "
                    + "or from loadStateDict; run a forward pass first");
        }
    }

    @Override
    protected void prepare(Tensor x) {
        if (!initialized) {
            if (x.dim() == 0) {
                throw new IllegalArgumentException("input must have at least 1 dimension to infer in_features, got "
                        + "shape " + Shapes.str(x.shape()));
            }
            initialize(x.size(-1));
        }
        super.prepare(x);
    }

    private synchronized void initialize(long in) {
        if (initialized) {
            return;
        }
        Parameter w = ownParameters().get("weight");
        Parameter b = ownParameters().get("bias");
        w.materialize(Tensor.zeros(outFeatures, in).to(w.dtype()).to(w.device()));
        if (b != null) {
            b.materialize(Tensor.zeros(outFeatures).to(b.dtype()).to(b.device()));
        }
        inFeatures = in;
        resetParameters();
        initialized = true; // last: another thread that sees it reads drawn weights
    }

    @Override
    protected void planOwnLoad(String prefix, StateDictLoader plan) {
        if (initialized) {
            super.planOwnLoad(prefix, plan);
            return;
        }
        Tensor w = plan.peek(prefix + "weight");
        if (w == null) {
            super.planOwnLoad(prefix, plan);
            return;
        }
        if (w.dim() != 2 || w.size(0) != outFeatures) {
            plan.refuseWeightShape(prefix, w, "[" + outFeatures + ", in_features]");
            return;
        }
        long in = w.size(1);
        plan.then(() -> initialize(in));
        Parameter weight = ownParameters().get("weight");
        plan.expect(prefix + "weight", weight, new long[] {outFeatures, in});
        Parameter bias = ownParameters().get("bias");
        if (bias != null) {
            plan.expect(prefix + "bias", bias, new long[] {outFeatures});
        }
    }

    @Override
    protected String typeName() {
        return initialized ? "Linear" : "LazyLinear";
    }
}

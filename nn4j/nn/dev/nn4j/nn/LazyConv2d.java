package dev.nn4j.nn;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A {@link Conv2d} whose {@code in_channels} is inferred from the first input (or from a loaded state dict).
 *
 * <p>PyTorch: {@code nn.LazyConv2d(out_channels, kernel_size, stride=1, padding=0)}. Before initialization it prints
 * as {@code LazyConv2d(0, 16, kernel_size=(3, 3), stride=(1, 1))}; afterwards it prints and behaves as
 * {@code Conv2d}. Its {@code Parameter} objects keep their identity when they get their shape, so an optimizer
 * built early still updates them; initializing draws random numbers at the first call (as in PyTorch).
 */
public class LazyConv2d extends Conv2d {
    private volatile boolean initialized;

    /** PyTorch: {@code nn.LazyConv2d(out, kernel)}. */
    public LazyConv2d(long out, int kernel) {
        this(out, kernel, 1, 0);
    }

    /** PyTorch: {@code nn.LazyConv2d(out, kernel, stride, padding)}. */
    public LazyConv2d(long out, int kernel, int stride, int padding) {
        super(out, kernel, stride, padding, Parameter.uninitialized(DataType.FLOAT),
                Parameter.uninitialized(DataType.FLOAT));
    }

    /** False until the first call or a loaded state dict fixes {@code in_channels}. */
    public boolean isInitialized() {
        return initialized;
    }

    @Override
    public Parameter weight() {
        checkInitialized();
        return super.weight();
    }

    @Override
    public Parameter bias() {
        checkInitialized();
        return super.bias();
    }

    private void checkInitialized() {
        if (!initialized) {
            throw new IllegalStateException("LazyConv2d(out_channels=" + outChannels + ") has not been fully "
                    + "initialized: its in_channels (and so its weight's shape) are inferred at the first call or "
                    + "from loadStateDict; run a forward pass first");
        }
    }

    @Override
    protected void prepare(Tensor x) {
        if (!initialized) {
            if (x.dim() != 4) {
                throw new IllegalArgumentException("expected 4-D input [N, C, H, W] to infer in_channels, got shape "
                        + Shapes.str(x.shape()));
            }
            initialize(x.size(1));
        }
        super.prepare(x);
    }

    private synchronized void initialize(long in) {
        if (initialized) {
            return;
        }
        weight.materialize(Tensor.zeros(weightShape(in)).to(weight.dtype()).to(weight.device()));
        bias.materialize(Tensor.zeros(outChannels).to(bias.dtype()).to(bias.device()));
        inChannels = in;
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
        if (w.dim() != 4 || w.size(0) != outChannels || w.size(2) != kernelSize[0] || w.size(3) != kernelSize[1]) {
            plan.refuseWeightShape(prefix, w, "[" + outChannels + ", in_channels, " + kernelSize[0] + ", "
                    + kernelSize[1] + "]");
            return;
        }
        long in = w.size(1);
        plan.then(() -> initialize(in));
        plan.expect(prefix + "weight", weight, weightShape(in));
        plan.expect(prefix + "bias", bias, new long[] {outChannels});
    }

    @Override
    protected String typeName() {
        return initialized ? "Conv2d" : "LazyConv2d";
    }
}

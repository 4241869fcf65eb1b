package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/** Flattens dimensions {@code startDim..endDim} into one. PyTorch: {@code nn.Flatten(start_dim=1, end_dim=-1)}. */
public class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    /** PyTorch: {@code nn.Flatten()}: keeps the batch dimension. */
    public Flatten() {
        this(1, -1);
    }

    /** PyTorch: {@code nn.Flatten(start_dim, end_dim)}. */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    protected Tensor forward(Tensor x) {
        return x.flatten(startDim, endDim);
    }

    @Override
    public String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}

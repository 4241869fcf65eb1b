package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/** Softmax over {@code dim}. PyTorch: {@code nn.Softmax(dim)}. */
public class Softmax extends Module {
    private final int dim;

    /** PyTorch: {@code nn.Softmax(dim=dim)}. */
    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.softmax(x, dim);
    }

    @Override
    public String extraRepr() {
        return "dim=" + dim;
    }
}

package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/** Log-softmax over {@code dim}: log-probabilities for {@link NLLLoss}. PyTorch: {@code nn.LogSoftmax(dim)}. */
public class LogSoftmax extends Module {
    private final int dim;

    /** PyTorch: {@code nn.LogSoftmax(dim=dim)}. */
    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.logSoftmax(x, dim);
    }

    @Override
    public String extraRepr() {
        return "dim=" + dim;
    }
}

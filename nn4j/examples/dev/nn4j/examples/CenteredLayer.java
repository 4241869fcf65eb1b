package dev.nn4j.examples;

import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Module;

/** A layer without parameters that subtracts the mean. d2l: {@code class CenteredLayer(nn.Module)}. */
public class CenteredLayer extends Module {
    @Override
    protected Tensor forward(Tensor x) {
        return x.sub(x.mean());
    }
}

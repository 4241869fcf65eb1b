package dev.nn4j.examples;

import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Functional;
import dev.nn4j.nn.Module;
import dev.nn4j.nn.Parameter;

/**
 * A fully connected layer written by hand with its own {@link Parameter}s. Its forward reads
 * {@code weight.data()}, as the chapter's does, so its parameters never receive gradients.
 * d2l: {@code class MyLinear(nn.Module)}.
 */
public class MyLinear extends Module {
    private final Parameter weight;
    private final Parameter bias;

    /** {@code inUnits -> units}, weight and bias drawn from N(0, 1). */
    public MyLinear(long inUnits, long units) {
        weight = registerParameter("weight", new Parameter(Tensor.randn(inUnits, units)));
        bias = registerParameter("bias", new Parameter(Tensor.randn(units)));
    }

    /** The {@code [in, units]} weight. */
    public Parameter weight() {
        return weight;
    }

    @Override
    protected Tensor forward(Tensor x) {
        Tensor linear = x.matmul(weight.data()).add(bias.data());
        return Functional.relu(linear);
    }
}

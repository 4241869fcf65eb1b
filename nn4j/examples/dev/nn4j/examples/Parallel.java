package dev.nn4j.examples;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;

/** The chapter's exercises: two networks side by side, and N fresh copies of a block stacked. */
public final class Parallel {
    private Parallel() {
    }

    /** Runs the exercises. */
    public static void main(String[] args) {
        Rng.manualSeed(0);
        ParallelBlock both = new ParallelBlock(new Linear(20, 8), new Sequential(new Linear(20, 4), new ReLU()));
        Tensor x = Tensor.rand(2, 20);
        System.out.println(both);
        System.out.println("concatenated output shape: " + java.util.Arrays.toString(both.call(x).shape()));

        Sequential stack = Stacked.of(3, () -> new Sequential(new Linear(20, 20), new ReLU()));
        System.out.println(stack);
        System.out.println("stacked output shape: " + java.util.Arrays.toString(stack.call(x).shape()));
        System.out.println("parameters: " + stack.parameters().size() + " tensors, "
                + stack.parameters().stream().mapToLong(Tensor::numel).sum() + " numbers");
    }
}

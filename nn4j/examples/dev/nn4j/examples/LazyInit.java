package dev.nn4j.examples;

import dev.nn4j.core.Tensor;
import dev.nn4j.nn.LazyLinear;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;

/** d2l "Lazy Initialization": LazyLinear infers in_features at the first call. */
public final class LazyInit {
    private LazyInit() {
    }

    /** Runs the section's cells. */
    public static void main(String[] args) {
        Sequential net = new Sequential(new LazyLinear(256), new ReLU(), new Linear(256, 10));
        System.out.println(net);
        try {
            ((Linear) net.get(0)).weight();
        } catch (IllegalStateException e) {
            System.out.println("before the first call: " + e.getMessage());
        }
        net.call(Tensor.rand(2, 20));
        System.out.println(net);
        net.namedParameters().forEach((k, p) -> System.out.println(k + " " + java.util.Arrays.toString(p.shape())));
    }
}

package dev.nn4j.examples;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Sequential;

/** d2l "Custom Layers": a layer without parameters (CenteredLayer) and one with (MyLinear). */
public final class CustomLayers {
    private CustomLayers() {
    }

    /** Runs the section's cells. */
    public static void main(String[] args) {
        Rng.manualSeed(0);
        System.out.println(new CenteredLayer().call(Tensor.of(new float[] {1, 2, 3, 4, 5})));
        Sequential net = new Sequential(new Linear(8, 128), new CenteredLayer());
        Tensor y = net.call(Tensor.rand(4, 8));
        System.out.println("mean after CenteredLayer: " + String.format("%.1e", y.mean().item()));

        MyLinear linear = new MyLinear(5, 3);
        System.out.println("MyLinear weight: " + linear.weight());
        System.out.println("MyLinear(rand(2, 5)): " + linear.call(Tensor.rand(2, 5)));
        Sequential stacked = new Sequential(new MyLinear(64, 8), new MyLinear(8, 1));
        System.out.println("stacked: " + stacked.call(Tensor.rand(2, 64)));
    }
}

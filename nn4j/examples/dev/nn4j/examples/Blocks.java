package dev.nn4j.examples;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Module;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;
import java.util.Arrays;

/** d2l "Layers and Modules": Sequential, a custom MLP, MySequential, FixedHiddenMLP and the chimera. */
public final class Blocks {
    private Blocks() {
    }

    /** Runs the section's cells. */
    public static void main(String[] args) {
        Rng.manualSeed(0);
        Tensor x = Tensor.rand(2, 20);

        Sequential net = new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
        System.out.println("Sequential output shape: " + Arrays.toString(net.call(x).shape()));
        System.out.println(net);

        Module mlp = new MLP();
        System.out.println("MLP output shape: " + Arrays.toString(mlp.call(x).shape()));
        System.out.println(mlp);

        Module mine = new MySequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
        System.out.println("MySequential output shape: " + Arrays.toString(mine.call(x).shape()));

        Module fixed = new FixedHiddenMLP();
        System.out.println("FixedHiddenMLP: " + fixed.call(x));

        Module chimera = new Sequential(new NestMLP(), new Linear(16, 20), new FixedHiddenMLP());
        System.out.println("chimera: " + chimera.call(x));
        System.out.println(chimera);
    }
}

package dev.nn4j.examples;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;

/** d2l "Tied Parameters": one Linear(8, 8) instance at positions 2 and 4. */
public final class Tying {
    private Tying() {
    }

    /** Runs the section's cells. */
    public static void main(String[] args) {
        Rng.manualSeed(0);
        Linear shared = new Linear(8, 8);
        Sequential net = new Sequential(new Linear(4, 8), new ReLU(), shared, new ReLU(), shared, new ReLU(),
                new Linear(8, 1));
        Tensor x = Tensor.rand(2, 4);
        net.call(x).sum().backward();
        Linear at2 = net.get(2);
        Linear at4 = net.get(4);
        System.out.println("same values: " + at2.weight().data().get(0).eq(at4.weight().data().get(0)));
        at2.weight().data().put(new long[] {0, 0}, 100);
        System.out.println("after an edit: " + at2.weight().data().get(0).eq(at4.weight().data().get(0)));
        System.out.println("same object: " + (at2.weight() == at4.weight()));
        System.out.println("named_parameters: " + net.namedParameters().keySet());
        System.out.println("state_dict keys: " + net.stateDict().keySet());
        System.out.println("shared weight's gradient (the sum over both uses): " + at2.weight().grad());
    }
}

package dev.nn4j.examples;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.init.Init;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;

/** d2l "Parameter Initialization": built-in initializers, per-block ones, a custom one, direct edits. */
public final class Initialization {
    private Initialization() {
    }

    /** Runs the section's cells. */
    public static void main(String[] args) {
        Rng.manualSeed(0);
        Sequential net = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
        net.call(Tensor.rand(2, 4));
        Linear first = net.get(0);
        Linear last = net.get(2);

        net.apply(m -> {
            if (m instanceof Linear l) {
                Init.normal(l.weight(), 0, 0.01);
                Init.zeros(l.bias());
            }
        });
        System.out.println("normal(0, 0.01): " + first.weight().data().get(0) + " " + first.bias().data().get(0));

        net.apply(m -> {
            if (m instanceof Linear l) {
                Init.constant(l.weight(), 1);
                Init.zeros(l.bias());
            }
        });
        System.out.println("constant(1): " + first.weight().data().get(0) + " " + first.bias().data().get(0));

        Init.xavierUniform(first.weight());
        Init.constant(last.weight(), 42);
        System.out.println("xavier: " + first.weight().data().get(0));
        System.out.println("42: " + last.weight().data());

        net.apply(m -> {
            if (m instanceof Linear l) {
                System.out.println("Init weight " + java.util.Arrays.toString(l.weight().shape()));
                Init.map(Init.uniform(l.weight(), -10, 10), w -> Math.abs(w) >= 5 ? w : 0);
            }
        });
        System.out.println("custom: " + first.weight().data().get(0));
        System.out.println(first.weight().data().get(0, 1));

        first.weight().data().addi(1);
        first.weight().data().put(new long[] {0, 0}, 42);
        System.out.println("edited: " + first.weight().data().get(0));
    }
}

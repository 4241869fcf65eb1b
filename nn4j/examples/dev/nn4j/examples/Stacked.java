package dev.nn4j.examples;

import dev.nn4j.nn.Module;
import dev.nn4j.nn.Sequential;
import java.util.function.Supplier;

/**
 * The chapter's exercise: a factory that stacks {@code n} fresh copies of a block (each with its own parameters).
 */
public final class Stacked {
    private Stacked() {
    }

    /** {@code n} blocks from {@code factory}, chained in a Sequential named "0".."n-1". */
    public static Sequential of(int n, Supplier<? extends Module> factory) {
        if (n < 0) {
            throw new IllegalArgumentException("Stacked.of: n must be >= 0, got " + n);
        }
        Sequential net = new Sequential();
        for (int i = 0; i < n; i++) {
            net.add(factory.get());
        }
        return net;
    }
}

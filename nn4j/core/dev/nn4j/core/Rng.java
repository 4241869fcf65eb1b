package dev.nn4j.core;

import java.util.SplittableRandom;

/**
 * The one random source behind every random factory ({@link Tensor#rand}, {@link Tensor#randn}), every
 * initializer and {@code Dropout}.
 *
 * <p>PyTorch: {@code torch.manual_seed(seed)}. nn4j draws its own numbers in Java (not through ND4J's
 * thread-local generator), so one seed makes a whole program reproducible whichever thread draws. Draws are
 * serialized; the streams are not bit-identical to PyTorch's, so parity tests compare against fixture values,
 * never against re-drawn ones.
 */
public final class Rng {
    private static SplittableRandom random = new SplittableRandom();

    private Rng() {
    }

    /** Reseeds the generator. PyTorch: {@code torch.manual_seed(seed)}. */
    public static synchronized void manualSeed(long seed) {
        random = new SplittableRandom(seed);
    }

    /** Fills {@code out} with draws from U[lo, hi). */
    public static synchronized void uniform(double[] out, double lo, double hi) {
        checkFinite("uniform", lo, hi);
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("uniform: expected a <= b, got a=" + lo + ", b=" + hi);
        }
        double w = hi - lo;
        for (int i = 0; i < out.length; i++) {
            out[i] = lo + w * random.nextDouble();
        }
    }

    /** Fills {@code out} with draws from N(mean, std^2). */
    public static synchronized void normal(double[] out, double mean, double std) {
        checkFinite("normal", mean, std);
        if (std < 0) {
            throw new IllegalArgumentException("normal: expected std >= 0, got " + std);
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = mean + std * random.nextGaussian();
        }
    }

    /** Fills {@code out} with 1 (keep) with probability {@code keep} and 0 otherwise. */
    public static synchronized void bernoulli(double[] out, double keep) {
        for (int i = 0; i < out.length; i++) {
            out[i] = random.nextDouble() < keep ? 1.0 : 0.0;
        }
    }

    /** A uniformly drawn long, e.g. to seed a data shuffle. */
    public static synchronized long nextLong() {
        return random.nextLong();
    }

    static void checkFinite(String op, double... values) {
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(op + ": arguments must be finite, got " + v);
            }
        }
    }
}

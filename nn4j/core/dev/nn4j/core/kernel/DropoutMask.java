package dev.nn4j.core.kernel;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Shapes;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Dropout's noise: {@code 1 / keep} with probability {@code keep}, else 0, as PyTorch's
 * {@code bernoulli_(keep).div_(keep)} makes it. Internal.
 */
public final class DropoutMask {
    private DropoutMask() {
    }

    /**
     * A new mask of {@code shape} in {@code type} (a floating type). One seed is drawn from {@link Rng} under its
     * lock; the mask is filled outside it by a counter-based generator ({@link FloatMath#bernoulli}), vectorized
     * where the JVM allows: a transformer step draws millions.
     */
    public static Storage draw(DataType type, long[] shape, double keep) {
        if (!(keep >= 0 && keep <= 1)) {
            throw new IllegalArgumentException("dropout: the keep probability must lie in [0, 1], got " + keep);
        }
        if (keep == 0) {
            return Storage.zeros(type, shape); // PyTorch's p = 1: everything dropped, no division by zero
        }
        float[] m = new float[Math.toIntExact(Shapes.numel(shape))];
        if (keep == 1) {
            // a p so small that 1 - p rounds to 1: every element kept, scaled by 1
            Arrays.fill(m, 1f);
            Storage ones = Storage.ofFloats(m, shape);
            return type == DataType.FLOAT ? ones : ones.cast(type);
        }
        int threshold = (int) Math.min(keep * 0x1p31, Integer.MAX_VALUE);
        if (type == DataType.DOUBLE) {
            FloatMath.get().bernoulli(Rng.nextLong(), threshold, 1f, m, m.length);
            double scale = 1 / keep;
            double[] d = new double[m.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = m[i] != 0 ? scale : 0;
            }
            return Storage.ofDoubles(d, shape);
        }
        // float32 arithmetic, as PyTorch divides a float32 tensor by a scalar
        FloatMath.get().bernoulli(Rng.nextLong(), threshold, 1f / (float) keep, m, m.length);
        Storage f = Storage.ofFloats(m, shape);
        return type == DataType.FLOAT ? f : f.cast(type);
    }

    /**
     * The mask for a given draw: {@code kept} (1 where kept, 0 where dropped) divided by {@code keep}, in
     * {@code type}. For parity with PyTorch, whose draws cannot be reproduced.
     */
    public static Storage of(Storage kept, double keep, DataType type) {
        if (keep == 0) {
            return Storage.zeros(type, kept.shape());
        }
        if (type == DataType.FLOAT) {
            float scale = 1f / (float) keep;
            float[] k = kept.floats();
            float[] m = new float[k.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = k[i] * scale;
            }
            return Storage.ofFloats(m, kept.shape());
        }
        double[] k = kept.doubles();
        double[] m = new double[k.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = k[i] / keep;
        }
        Storage d = Storage.ofDoubles(m, kept.shape());
        return type == DataType.DOUBLE ? d : d.cast(type);
    }
}

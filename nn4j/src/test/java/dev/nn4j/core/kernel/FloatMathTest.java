package dev.nn4j.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Both implementations of {@link FloatMath} against float64 references, over random values, the ends of float32's
 * range and the special values, with ranges that start at odd offsets and end between vector lanes.
 */
class FloatMathTest {
    private static final float[] SPECIAL = {0f, -0f, 1e-30f, -1e-30f, 1e-8f, 0.625f, -0.625f, 0.62499994f, 1f, -1f,
        9f, -9f, 20f, -20f, 87.3f, -87.3f, 88.7f, 88.72f, 89f, -88f, -104f, 200f, -200f, Float.MAX_VALUE,
        -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};

    @Test
    void theTestJvmRunsTheVectorizedImplementation() {
        // the build passes --add-modules jdk.incubator.vector to the tests, so the tests cover what users with
        // the flag run; without it every other float32 test would silently test the scalar loops only
        assertTrue(FloatMath.vectorized(), "the Vector API implementation is not active in the test JVM");
    }

    @Test
    void expMatchesFloat64WithinOneUlp() {
        for (FloatMath m : implementations()) {
            float[] x = inputs(30);
            float[] y = new float[x.length + 3];
            m.expShifted(x, 0, 0f, y, 3, x.length);
            for (int i = 0; i < x.length; i++) {
                check("exp", m, x[i], Math.exp(x[i]), y[3 + i], 1);
            }
        }
    }

    @Test
    void expShiftedReturnsTheSum() {
        for (FloatMath m : implementations()) {
            float[] x = inputs(30);
            int n = x.length - SPECIAL.length - 2; // finite values, a count that ends between lanes
            double sum = m.expShifted(x, 1, 0f, new float[n], 0, n);
            double expected = 0;
            for (int i = 1; i <= n; i++) {
                expected += Math.exp(x[i]);
            }
            assertEquals(expected, sum, expected * 1e-6, "sum of exp");
        }
    }

    @Test
    void expShiftedSubtractsTheShiftFirst() {
        for (FloatMath m : implementations()) {
            float[] x = inputs(5);
            float[] y = new float[x.length];
            m.expShifted(x, 0, 3.5f, y, 0, x.length);
            for (int i = 0; i < x.length; i++) {
                // the scalar loop subtracts in double (exact), the vectorized one in float32, as PyTorch's does
                double d = m == FloatMath.scalar() ? (double) x[i] - 3.5 : x[i] - 3.5f;
                check("exp(x - 3.5)", m, x[i], Math.exp(d), y[i], 1);
            }
        }
    }

    @Test
    void sigmoidMatchesFloat64() {
        compare("sigmoid", v -> 1 / (1 + Math.exp(-v)), (m, x, y) -> m.sigmoid(x, 1, y, 2, x.length - 1), 2);
    }

    @Test
    void tanhMatchesFloat64() {
        compare("tanh", Math::tanh, (m, x, y) -> m.tanh(x, 1, y, 2, x.length - 1), 2);
    }

    @Test
    void rangesMayCoincide() {
        for (FloatMath m : implementations()) {
            float[] x = inputs(4);
            float[] y = x.clone();
            m.tanh(y, 0, y, 0, y.length);
            for (int i = 0; i < x.length; i++) {
                check("tanh in place", m, x[i], Math.tanh(x[i]), y[i], 2);
            }
        }
    }

    @Test
    void bernoulliIsSplittableRandomsStreamInBothImplementations() {
        int threshold = (int) (0.9 * 0x1p31);
        for (int n : new int[] {0, 1, 2, 31, 32, 33, 4001}) {
            float[] want = new float[n];
            java.util.SplittableRandom r = new java.util.SplittableRandom(99);
            for (int i = 0; i < n; i += 2) {
                long z = r.nextLong();
                want[i] = (int) z >>> 1 < threshold ? 3f : 0f;
                if (i + 1 < n) {
                    want[i + 1] = (int) (z >>> 33) < threshold ? 3f : 0f;
                }
            }
            for (FloatMath m : implementations()) {
                float[] y = new float[n];
                m.bernoulli(99, threshold, 3f, y, n);
                org.junit.jupiter.api.Assertions.assertArrayEquals(want, y, m.getClass().getSimpleName() + " n=" + n);
            }
        }
    }

    @Test
    void bernoulliKeepsTheRightShareAndNoPattern() {
        int n = 1 << 20;
        for (double keep : new double[] {0.1, 0.5, 0.9}) {
            float[] y = new float[n];
            FloatMath.get().bernoulli(12345, (int) (keep * 0x1p31), 1f, y, n);
            int kept = 0;
            int both = 0;
            for (int i = 0; i < n; i++) {
                kept += (int) y[i];
                both += i > 0 && y[i] == 1 && y[i - 1] == 1 ? 1 : 0;
            }
            double sd = Math.sqrt(n * keep * (1 - keep));
            assertTrue(Math.abs(kept - n * keep) < 5 * sd, "kept " + kept + " of " + n + " at " + keep);
            // neighbours (the two halves of one draw, and draws side by side) independent
            assertTrue(Math.abs(both - (n - 1) * keep * keep) < 5 * Math.sqrt(n) , "pairs " + both + " at " + keep);
        }
    }

    @Test
    void adamInLanesGivesTheScalarLoopsBits() {
        org.junit.jupiter.api.Assumptions.assumeTrue(FloatMath.vectorized());
        SplittableRandom r = new SplittableRandom(3);
        for (float[] k : new float[][] {{0f, 1f, 0.1f}, {0.01f, 1f, 0.1f}, {0f, 0.999f, 0.1f}, {0f, 1f, 0.9f}}) {
            OptimizerLoops.AdamCoefficients c = new OptimizerLoops.AdamCoefficients(-1e-3f, 0.3f, 1e-8f, k[0], k[1],
                    k[2], 0.999f, 0.001f);
            int n = 1000 + 37;
            float[] w = new float[n];
            float[] g = new float[n];
            float[] m = new float[n];
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) r.nextGaussian();
                g[i] = (float) r.nextGaussian() * (i % 7 == 0 ? 1e-20f : 1f);
                m[i] = (float) r.nextGaussian() * 0.1f;
                v[i] = (float) Math.abs(r.nextGaussian()) * 0.01f;
            }
            java.nio.ByteBuffer[] bufs = new java.nio.ByteBuffer[4];
            float[][] src = {w, g, m, v};
            for (int b = 0; b < 4; b++) {
                bufs[b] = java.nio.ByteBuffer.allocateDirect(n * 4).order(java.nio.ByteOrder.nativeOrder());
                bufs[b].asFloatBuffer().put(src[b]);
            }
            // the gradient once from the heap, once from a direct buffer
            for (boolean heap : new boolean[] {true, false}) {
                java.nio.ByteBuffer wb = copy(bufs[0]);
                java.nio.ByteBuffer mb = copy(bufs[2]);
                java.nio.ByteBuffer vb = copy(bufs[3]);
                assertTrue(FloatMath.get().adam(wb, heap ? g : null, heap ? null : bufs[1], mb, vb, n, c));
                for (int i = 0; i < n; i++) {
                    float p = w[i];
                    float gi = g[i];
                    if (c.shrink() != 1f) {
                        p = p * c.shrink();
                    } else if (c.decay() != 0f) {
                        gi = gi + c.decay() * p;
                    }
                    float diff = gi - m[i];
                    float mi = Math.abs(c.w1()) < 0.5f ? m[i] + c.w1() * diff : gi - diff * (1f - c.w1());
                    float vi = v[i] * c.b2() + (c.c2() * gi) * gi;
                    float denom = (float) Math.sqrt(vi) / c.bc2Sqrt() + c.eps();
                    String at = "element " + i + " heap=" + heap;
                    assertEquals(mi, mb.getFloat(4 * i), at);
                    assertEquals(vi, vb.getFloat(4 * i), at);
                    assertEquals(p + (c.negStep() * mi) / denom, wb.getFloat(4 * i), at);
                }
            }
        }
        assertTrue(!FloatMath.scalar().adam(null, null, null, null, null, 0, null), "the scalar loops leave it to Adam");
    }

    @Test
    void lstmCellBackwardRowInLanesGivesTheScalarBits() {
        SplittableRandom r = new SplittableRandom(5);
        for (int h : new int[] {1, 16, 37, 256}) {
            for (boolean withCarry : new boolean[] {false, true}) {
                float[] gv = random(r, 3 + 2 * h);
                float[] a = random(r, 2 + 5 * h);
                float[] cv = random(r, 1 + h);
                float[][] carry = new float[2][];
                float[][] dGates = new float[2][];
                FloatMath[] impls = {FloatMath.scalar(), FloatMath.get()};
                for (int k = 0; k < 2; k++) {
                    carry[k] = withCarry ? random(new SplittableRandom(9), 1 + 2 * h) : null;
                    dGates[k] = new float[4 + 4 * h];
                    float[] dc = withCarry ? carry[k] : new float[2 + h];
                    impls[k].lstmCellBackwardRow(gv, 3, carry[k], 1, a, 2, cv, 1, dGates[k], 4, dc, withCarry ? 1 + h
                            : 2, h);
                }
                org.junit.jupiter.api.Assertions.assertArrayEquals(dGates[0], dGates[1], "h=" + h);
                if (withCarry) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(carry[0], carry[1], "h=" + h);
                }
            }
        }
    }

    @Test
    void lstmCellRowInLanesAgreesWithTheScalarRow() {
        SplittableRandom r = new SplittableRandom(6);
        for (int h : new int[] {1, 16, 37}) {
            float[] x = random(r, 2 + 4 * h);
            float[] y = random(r, 3 + 4 * h);
            float[] cv = random(r, 1 + h);
            float[][] act = new float[2][5 * h + 1];
            float[][] out = new float[2][2 * h + 2];
            FloatMath[] impls = {FloatMath.scalar(), FloatMath.get()};
            for (int k = 0; k < 2; k++) {
                impls[k].lstmCellRow(x, 2, y, 3, cv, 1, act[k], 1, out[k], 2, h);
            }
            for (int i = 0; i < out[0].length; i++) {
                assertEquals(out[0][i], out[1][i], 4 * Math.ulp(out[0][i]) + 1e-7f, "h=" + h + " out " + i);
            }
            for (int i = 0; i < act[0].length; i++) {
                assertEquals(act[0][i], act[1][i], 4 * Math.ulp(act[0][i]) + 1e-7f, "h=" + h + " act " + i);
            }
        }
    }

    @Test
    void columnSumsInLanesAgreeWithTheDoubleLoop() {
        SplittableRandom r = new SplittableRandom(10);
        for (int[] rc : new int[][] {{1, 1}, {33, 17}, {100, 1000}, {5, 0}, {0, 4}}) {
            float[] x = random(r, 3 + rc[0] * rc[1]);
            double[][] acc = new double[2][rc[1] + 2];
            FloatMath[] impls = {FloatMath.scalar(), FloatMath.get()};
            for (int k = 0; k < 2; k++) {
                acc[k][0] = 7;
                impls[k].addColumnSums(x, 3, rc[0], rc[1], acc[k], 1);
            }
            assertEquals(7, acc[1][0], "wrote before the range");
            for (int j = 0; j < acc[0].length; j++) {
                assertEquals(acc[0][j], acc[1][j], 1e-5 * Math.sqrt(rc[0]) + 1e-6, "rows " + rc[0] + " col " + j);
            }
        }
    }

    @Test
    void rowHelpersAgreeWithTheScalarLoops() {
        SplittableRandom r = new SplittableRandom(8);
        for (int n : new int[] {0, 1, 15, 16, 17, 64, 1000}) {
            float[] a = random(r, n + 3);
            float[] b = random(r, n + 3);
            for (FloatMath m : implementations()) {
                String what = m.getClass().getSimpleName() + " n=" + n;
                assertEquals(FloatMath.scalar().max(a, 3, n), m.max(a, 3, n), what);
                double dot = FloatMath.scalar().dot(a, 2, b, 3, n);
                assertEquals(dot, m.dot(a, 2, b, 3, n), 1e-5 * (1 + Math.abs(dot)), what);
                float[] y = a.clone();
                float[] want = a.clone();
                m.scale(y, 3, n, 1 / 3.0);
                FloatMath.scalar().scale(want, 3, n, 1 / 3.0);
                float[] out = new float[n + 1];
                float[] outWant = new float[n + 1];
                m.softmaxGrad(a, 3, b, 2, 0.25, out, 1, n);
                FloatMath.scalar().softmaxGrad(a, 3, b, 2, 0.25, outWant, 1, n);
                for (int i = 0; i < y.length; i++) {
                    assertEquals(want[i], y[i], Math.ulp(want[i]), what);
                }
                for (int i = 0; i < out.length; i++) {
                    assertEquals(outWant[i], out[i], 2 * Math.ulp(outWant[i]) + 1e-7f, what);
                }
            }
        }
        float[] withNan = new float[40];
        withNan[33] = Float.NaN;
        assertTrue(Float.isNaN(FloatMath.get().max(withNan, 0, 40)), "a NaN propagates, as Math.max does");
        assertEquals(Float.NEGATIVE_INFINITY, FloatMath.get().max(withNan, 0, 0));
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static java.nio.ByteBuffer copy(java.nio.ByteBuffer b) {
        java.nio.ByteBuffer c = java.nio.ByteBuffer.allocateDirect(b.capacity()).order(java.nio.ByteOrder.nativeOrder());
        c.put(b.duplicate().clear());
        return c.clear();
    }

    private interface Kernel {
        void run(FloatMath m, float[] x, float[] y);
    }

    /** The kernel reads {@code x[1..]} and writes {@code y[2..]}: offsets that differ and are not lane-aligned. */
    private static void compare(String name, DoubleUnaryOperator f, Kernel k, int ulps) {
        for (FloatMath m : implementations()) {
            float[] x = inputs(12);
            float[] y = new float[x.length + 1];
            y[0] = 42f;
            y[1] = 42f;
            k.run(m, x, y);
            assertEquals(42f, y[0], "wrote before the range");
            assertEquals(42f, y[1], "wrote before the range");
            for (int i = 1; i < x.length; i++) {
                check(name, m, x[i], f.applyAsDouble(x[i]), y[i + 1], ulps);
            }
        }
    }

    private static void check(String name, FloatMath m, float x, double want, float got, int ulps) {
        String what = name + "(" + x + ") by " + m.getClass().getSimpleName() + ": want " + want + ", got " + got;
        if (Double.isNaN(want)) {
            assertTrue(Float.isNaN(got), what);
            return;
        }
        float w = (float) want;
        if (Math.abs(want) < Float.MIN_NORMAL) {
            // below float32's normal range the vectorized exp flushes to zero, as SIMD code commonly does
            assertTrue(Math.abs(got - want) <= Float.MIN_NORMAL, what);
            return;
        }
        if (Float.isInfinite(w)) {
            assertEquals(w, got, what);
            return;
        }
        assertTrue(Math.abs(got - w) <= ulps * Math.ulp(w), what);
    }

    private static FloatMath[] implementations() {
        return new FloatMath[] {FloatMath.scalar(), FloatMath.get()};
    }

    /** Random values in {@code [-range, range]}, finer near 0, then the special ones; an odd count. */
    private static float[] inputs(float range) {
        SplittableRandom r = new SplittableRandom(7);
        int n = 4001;
        float[] x = new float[n + SPECIAL.length];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble(-1, 1);
            x[i] = (float) (i % 3 == 0 ? u * 1e-3 : u * range);
        }
        System.arraycopy(SPECIAL, 0, x, n, SPECIAL.length);
        return x;
    }
}

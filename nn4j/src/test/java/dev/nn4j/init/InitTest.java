package dev.nn4j.init;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Module;
import dev.nn4j.nn.Parameter;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chapter's initialization code, and the moments and bounds of each distribution. */
class InitTest {
    static double[] values(Tensor t) {
        return t.array().castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    static double variance(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return s / v.length;
    }

    static Sequential net() {
        return new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
    }

    @Test
    void builtInInitializersThroughApply() {
        Rng.manualSeed(1);
        Sequential big = new Sequential(new Linear(500, 400), new ReLU(), new Linear(400, 300));
        big.apply(m -> {
            if (m instanceof Linear l) {
                Init.normal(l.weight(), 0, 0.01);
                Init.zeros(l.bias());
            }
        });
        Linear first = big.get(0);
        double[] w = values(first.weight());
        assertEquals(0, mean(w), 1e-4);
        assertEquals(0.01, Math.sqrt(variance(w)), 1e-4);
        assertArrayEquals(new double[400], values(first.bias()), 0);
        Parameter p = first.weight();
        assertTrue(p.isLeaf() && p.requiresGrad() && p.gradFn() == null, "initializers are never recorded");

        Sequential n = net();
        n.apply(m -> {
            if (m instanceof Linear l) {
                Init.constant(l.weight(), 1);
                Init.zeros(l.bias());
            }
        });
        for (int i : new int[] {0, 2}) {
            Linear l = n.get(i);
            for (double v : values(l.weight())) {
                assertEquals(1, v);
            }
            assertArrayEquals(new double[(int) l.outFeatures()], values(l.bias()), 0);
        }
    }

    @Test
    void differentInitializersPerBlock() {
        Sequential n = net();
        n.get(0).apply(m -> {
            if (m instanceof Linear l) {
                Init.xavierUniform(l.weight());
            }
        });
        n.get(2).apply(m -> {
            if (m instanceof Linear l) {
                Init.constant(l.weight(), 42);
            }
        });
        double bound = Math.sqrt(6.0 / (4 + 8));
        for (double v : values(((Linear) n.get(0)).weight())) {
            assertTrue(Math.abs(v) <= bound);
        }
        for (double v : values(((Linear) n.get(2)).weight())) {
            assertEquals(42, v);
        }
    }

    @Test
    void customInitializerUniformWithSmallValuesZeroed() {
        Rng.manualSeed(5);
        Linear l = new Linear(200, 100);
        Init.map(Init.uniform(l.weight(), -10, 10), w -> Math.abs(w) >= 5 ? w : 0);
        int zeros = 0;
        for (double v : values(l.weight())) {
            assertTrue(v == 0 || (Math.abs(v) >= 5 && Math.abs(v) <= 10), "value " + v);
            zeros += v == 0 ? 1 : 0;
        }
        assertEquals(0.5, zeros / 20000.0, 0.02);
    }

    @Test
    void directEditsThroughData() {
        Linear l = new Linear(4, 8);
        double[] before = values(l.weight());
        l.weight().data().addi(1);
        l.weight().data().put(new long[] {0, 0}, 42);
        double[] after = values(l.weight());
        assertEquals(42, after[0]);
        for (int i = 1; i < after.length; i++) {
            assertEquals(before[i] + 1, after[i], 1e-6);
        }
        assertNull(l.weight().gradFn());
    }

    @Test
    void xavierMoments() {
        Rng.manualSeed(2);
        Tensor w = Tensor.zeros(300, 200);
        double fanSum = 500;
        double[] u = values(Init.xavierUniform(w));
        double bound = Math.sqrt(6 / fanSum);
        for (double v : u) {
            assertTrue(Math.abs(v) <= bound);
        }
        assertEquals(2 / fanSum, variance(u), 0.03 * 2 / fanSum);
        double[] n = values(Init.xavierNormal(w, 2.0));
        assertEquals(4 * 2 / fanSum, variance(n), 0.03 * 8 / fanSum);
        assertEquals(0, mean(n), 0.01 * Math.sqrt(8 / fanSum));
    }

    @Test
    void kaimingMomentsAndGains() {
        Rng.manualSeed(4);
        Tensor w = Tensor.zeros(300, 200);
        double[] u = values(Init.kaimingUniform(w, 0, Init.FanMode.FAN_IN, "relu"));
        assertEquals(2.0 / 200, variance(u), 0.03 * 2.0 / 200);
        for (double v : u) {
            assertTrue(Math.abs(v) <= Math.sqrt(6.0 / 200));
        }
        double[] n = values(Init.kaimingNormal(w, 0, Init.FanMode.FAN_OUT, "relu"));
        assertEquals(2.0 / 300, variance(n), 0.03 * 2.0 / 300);
        assertEquals(Math.sqrt(2), Init.calculateGain("relu"), 1e-15);
        assertEquals(5.0 / 3, Init.calculateGain("tanh"), 1e-15);
        assertEquals(1, Init.calculateGain("sigmoid"), 0);
        assertEquals(Math.sqrt(2 / (1 + 0.01 * 0.01)), Init.calculateGain("leaky_relu"), 1e-15);
        assertEquals(0.75, Init.calculateGain("selu"), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("swish"));
        assertTrue(e.getMessage().contains("swish") && e.getMessage().contains("relu"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Init.xavierUniform(Tensor.zeros(5)));
        assertTrue(e.getMessage().contains("fewer than 2 dimensions"), e.getMessage());
    }

    @Test
    void uniformBoundsAndReproducibility() {
        Rng.manualSeed(9);
        double[] a = values(Init.uniform(Tensor.zeros(1000), -2, 3));
        for (double v : a) {
            assertTrue(v >= -2 && v < 3);
        }
        assertEquals(0.5, mean(a), 0.15);
        Rng.manualSeed(9);
        assertArrayEquals(a, values(Init.uniform(Tensor.zeros(1000), -2, 3)), 0);
        assertThrows(IllegalArgumentException.class, () -> Init.normal(Tensor.zeros(2), 0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Init.uniform(Tensor.zeros(2), 3, -2));
    }

    @Test
    void initializersReturnTheirTensor() {
        Tensor t = Tensor.zeros(2, 3);
        assertSame(t, Init.ones(t));
        assertSame(t, Init.kaimingUniform(t));
        Module m = net();
        assertSame(m, m.apply(x -> { }));
    }
}

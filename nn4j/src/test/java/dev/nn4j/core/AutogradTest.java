package dev.nn4j.core;

import dev.nn4j.core.kernel.StorageAccess;
import java.lang.ref.WeakReference;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tape semantics: accumulation, reuse, NoGrad, detach/data, release, threads. */
class AutogradTest {
    private static double[] values(Tensor t) {
        return t.array().castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
    }

    @Test
    void savedValuesAreGoneOnceTheGraphIsReleased() {
        Tensor x = Tensor.randn(3).requiresGrad(true);
        Tensor y = x.mul(x);
        Node fn = y.gradFn();
        assertNotNull(fn.saved(0));
        y.sum().backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> fn.saved(0));
        assertTrue(e.getMessage().contains("MulBackward"), e.getMessage());
    }

    @Test
    void aCastIsRecordedAndItsBackwardCastsTheGradientBack() {
        Tensor x = Tensor.of(new double[] {0.5, -1.25, 3}, 3).requiresGrad(true);
        Tensor y = x.to(DataType.FLOAT);
        assertEquals("ToCopyBackward", y.gradFn().name());
        y.mul(Tensor.of(new float[] {2, 3, 4}, 3)).sum().backward();
        assertEquals(DataType.DOUBLE, x.grad().dtype());
        assertArrayEquals(new double[] {2, 3, 4}, x.grad().storage().toDoubleArray(), 0);
        assertNull(Tensor.of(new double[] {1}, 1).requiresGrad(true).to(DataType.LONG).gradFn(),
                "an integer result carries no gradient");
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilCleared() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
        x.mul(x).sum().backward();
        assertArrayEquals(new double[] {2, 4, 6}, values(x.grad()), 0);
        x.mul(3).sum().backward();
        assertArrayEquals(new double[] {5, 7, 9}, values(x.grad()), 0);
        x.setGrad(null);
        x.sum().backward();
        assertArrayEquals(new double[] {1, 1, 1}, values(x.grad()), 0);
    }

    @Test
    void aTensorUsedTwiceGetsTheSumOfBothPaths() {
        Tensor x = Tensor.of(new double[] {1.5, -2}).requiresGrad(true);
        Tensor y = x.mul(x).add(x).add(x.exp());
        y.sum().backward();
        assertArrayEquals(new double[] {2 * 1.5 + 1 + Math.exp(1.5), -4 + 1 + Math.exp(-2)}, values(x.grad()), 1e-12);
    }

    @Test
    void sharedIntermediateDoesNotCorruptEitherBranch() {
        // add passes the same gradient array to both inputs; accumulating into one must not alter the other
        Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        Tensor a = x.mul(2);
        Tensor s = a.add(a);
        Tensor y = s.add(a).mul(x);
        y.sum().backward();
        // y = 6x^2 → 12x
        assertArrayEquals(new double[] {12, 24}, values(x.grad()), 1e-12);
    }

    @Test
    void modifyingASavedValueInPlaceBeforeBackwardIsRefused() {
        Tensor w = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        Tensor x = Tensor.of(new double[] {3, 4});
        Tensor loss = w.mul(x).sum();
        x.addi(1); // x was saved by mul: its gradient for w would silently use the new value
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("modified by an inplace operation") && e.getMessage().contains("MulBackward")
                && e.getMessage().contains("[2]"), e.getMessage());
        assertNull(w.grad(), "nothing was accumulated");

        Tensor loss2 = w.mul(x).sum();
        try (NoGrad g = NoGrad.enter()) {
            w.data().muli(2);
        }
        assertThrows(IllegalStateException.class, loss2::backward);
        Tensor ok = w.mul(x).sum();
        ok.backward();
        assertArrayEquals(new double[] {4, 5}, values(w.grad()), 0);
    }

    @Test
    void aSeedGradientMadeByAnOpIsNeverTakenOverByALeaf() {
        Tensor w = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        Tensor seed = Tensor.of(new double[] {1, 0, 0, 1}, 2, 2).matmul(Tensor.ones(2, 2).to(DataType.DOUBLE));
        double[] before = values(seed);
        w.add(0.0).backward(seed);
        w.add(0.0).backward(seed);
        assertArrayEquals(before, values(seed), 0, "accumulating into w.grad must not write into the seed");
        assertArrayEquals(new double[] {2, 2, 2, 2}, values(w.grad()), 0);
    }

    @Test
    void broadcastGradientsAreReducedToEachInputsShape() {
        Tensor a = Tensor.randn(3, 1).to(DataType.DOUBLE).requiresGrad(true);
        Tensor b = Tensor.randn(1, 4).to(DataType.DOUBLE).requiresGrad(true);
        Tensor c = Tensor.randn(4).to(DataType.DOUBLE).requiresGrad(true);
        assertTrue(Autograd.gradcheck(x -> x[0].mul(x[1]).sub(x[2]).div(x[1].exp()), a, b, c));
        Tensor y = a.mul(b).add(c);
        assertArrayEquals(new long[] {3, 4}, y.shape());
        y.sum().backward();
        assertArrayEquals(new long[] {3, 1}, a.grad().shape());
        assertArrayEquals(new long[] {1, 4}, b.grad().shape());
        assertArrayEquals(new long[] {4}, c.grad().shape());
    }

    @Test
    void noGradRecordsNothingOnThisThreadOnly() throws Exception {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        try (NoGrad scope = NoGrad.enter()) {
            Tensor y = x.mul(2);
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
            ExecutorService other = Executors.newSingleThreadExecutor();
            Future<Boolean> f = other.submit(() -> x.mul(2).requiresGrad());
            assertTrue(f.get(), "another thread still records");
            other.shutdown();
        }
        assertTrue(x.mul(2).requiresGrad());
        assertTrue(NoGrad.isGradEnabled());
    }

    @Test
    void detachAndDataShareStorageButLeaveTheGraph() {
        Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        Tensor d = x.data();
        assertFalse(d.requiresGrad());
        assertNull(d.gradFn());
        d.addi(10);
        assertArrayEquals(new double[] {11, 12}, values(x), 0);
        Tensor y = x.mul(2);
        Tensor z = y.detach();
        assertSame(y.array(), z.array());
        assertFalse(z.requiresGrad());
        z.mul(x).sum().backward();
        assertArrayEquals(new double[] {22, 24}, values(x.grad()), 0, "no gradient flows through the detached y");
    }

    @Test
    void secondBackwardThroughAReleasedGraphFailsClearly() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor loss = x.mul(x).sum();
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("backward through the graph a second time"), e.getMessage());
        assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
    }

    @Test
    void retainGraphAllowsASecondBackward() {
        Tensor x = Tensor.of(new double[] {3}).requiresGrad(true);
        Tensor loss = x.mul(x).sum();
        loss.backward(Tensor.of(new double[] {1}, new long[0]), true);
        loss.backward();
        assertArrayEquals(new double[] {12}, values(x.grad()), 0);
    }

    @Test
    void nothingOfTheGraphStaysReachableAfterBackward() throws InterruptedException {
        Tensor x = Tensor.randn(64, 64).requiresGrad(true);
        Tensor hidden = x.mul(2).tanh();
        WeakReference<Tensor> ref = new WeakReference<>(hidden);
        Tensor loss = hidden.sum();
        hidden = null;
        loss.backward();
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(ref.get(), "the intermediate tensor is still reachable from the released graph");
        assertNotNull(loss.gradFn(), "the output still names its grad_fn");
    }

    @Test
    void deepGraphsDoNotOverflowTheStack() {
        Tensor x = Tensor.of(new double[] {1}).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) {
            y = y.add(0.0);
        }
        y.sum().backward();
        assertEquals(1.0, x.grad().item());
    }

    @Test
    void twoThreadsTrainAtOnceWithoutInterference() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<double[]> a = pool.submit(() -> trainToy(2.0));
            Future<double[]> b = pool.submit(() -> trainToy(-3.0));
            assertArrayEquals(trainToy(2.0), a.get(), 0);
            assertArrayEquals(trainToy(-3.0), b.get(), 0);
        } finally {
            pool.shutdown();
        }
    }

    private static double[] trainToy(double target) {
        Tensor w = Tensor.of(new double[] {0.5, -0.5}).requiresGrad(true);
        for (int step = 0; step < 200; step++) {
            Tensor loss = w.sub(target).pow(2).sum();
            loss.backward();
            try (NoGrad g = NoGrad.enter()) {
                w.subi(w.grad().mul(0.05));
            }
            w.setGrad(null);
        }
        return values(w);
    }

    @Test
    void mixedFloatTypesPromoteAndGradientsKeepEachInputsType() {
        Tensor a = Tensor.ones(2).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {2, 3}).requiresGrad(true);
        Tensor y = a.mul(b);
        assertEquals(DataType.DOUBLE, y.dtype());
        y.sum().backward();
        assertEquals(DataType.FLOAT, a.grad().dtype());
        assertEquals(DataType.DOUBLE, b.grad().dtype());
    }

    @Test
    void indexingAndScalarOpsAreDifferentiable() {
        Tensor x = Tensor.randn(3, 4).to(DataType.DOUBLE);
        assertTrue(Autograd.gradcheck(t -> t[0].get(1).mul(t[0].get(2, 3)), x));
        assertTrue(Autograd.gradcheck(t -> t[0].get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2))
                .transpose(0, 1).matmul(t[0].get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3))), x));
        assertTrue(Autograd.gradcheck(t -> t[0].softmax(0).log().mean(1, true).sqrt().mul(0).add(t[0].sigmoid()), x));
    }

    @Test
    void comparisonsGiveBoolMasksThatAreNeverRecorded() {
        Tensor x = Tensor.of(new float[] {-1, 0, 2}).requiresGrad(true);
        Tensor m = x.gt(0);
        assertEquals(DataType.BOOL, m.dtype());
        assertFalse(m.requiresGrad());
        assertEquals("tensor([False, False,  True])", m.toString());
        assertEquals("tensor([ True,  True, False])", x.le(0).toString());
        assertEquals("tensor([False,  True,  True])", x.ge(0).toString());
        assertEquals("tensor([False,  True, False])", x.eq(0).toString());
        assertEquals("tensor([ True, False, False])", x.lt(0).toString());
    }

    @Test
    void reluHasZeroGradientAtZero() {
        Tensor x = Tensor.of(new double[] {-1, 0, 1}).requiresGrad(true);
        x.relu().sum().backward();
        assertArrayEquals(new double[] {0, 0, 1}, values(x.grad()), 0);
        Tensor y = Tensor.of(new double[] {0}).requiresGrad(true);
        y.abs().sum().backward();
        assertArrayEquals(new double[] {0}, values(y.grad()), 0);
    }

    @Test
    void float32ReluMaskPassesEveryPositiveOutputAndGivesPositiveZeroElsewhere() {
        float[] in = {-2f, -0f, 0f, Float.MIN_VALUE, Float.MIN_NORMAL, 1e-30f, 3f, Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        Tensor x = Tensor.of(in, in.length).requiresGrad(true);
        float[] w = new float[in.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = -(i + 1.5f); // negative: masked entries must still come out as +0, as threshold_backward gives
        }
        w[0] = Float.POSITIVE_INFINITY; // an infinite gradient at an inactive unit is masked to 0, not NaN
        w[1] = Float.NEGATIVE_INFINITY;
        w[4] = -0f; // and an active unit passes -0 unchanged
        x.relu().mul(Tensor.of(w, w.length)).sum().backward();
        float[] g = StorageAccess.floats(x.grad().storage());
        for (int i = 0; i < in.length; i++) {
            float expected = in[i] > 0 ? w[i] : 0f;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(g[i]),
                    "relu grad at x = " + in[i] + ": " + g[i]);
        }
    }

    @Test
    void rngSeedMakesFactoriesReproducible() {
        Rng.manualSeed(42);
        double[] a = values(Tensor.randn(5));
        double[] b = values(Tensor.rand(5));
        Rng.manualSeed(42);
        assertArrayEquals(a, values(Tensor.randn(5)), 0);
        assertArrayEquals(b, values(Tensor.rand(5)), 0);
        for (double v : b) {
            assertTrue(v >= 0 && v < 1);
        }
    }

    @Test
    void factoriesHaveTorchDtypesAndShapes() {
        assertEquals(DataType.LONG, Tensor.arange(5).dtype());
        assertEquals("tensor([0, 1, 2, 3, 4])", Tensor.arange(5).toString());
        assertEquals(DataType.FLOAT, Tensor.zeros(2, 3).dtype());
        assertEquals(0, Tensor.scalar(2.5).dim());
        assertEquals(2.5, Tensor.scalar(2.5).item());
        assertEquals("tensor([[7., 7.]])", Tensor.full(7, 1, 2).toString());
        assertArrayEquals(new long[] {2, 3}, Tensor.ones(2, 3).shape());
        assertEquals(6, Tensor.ones(2, 3).numel());
        assertEquals(3, Tensor.ones(2, 3).size(-1));
        assertEquals(DataType.LONG, Tensor.of(new long[] {1, 2}, 2).dtype());
    }
}

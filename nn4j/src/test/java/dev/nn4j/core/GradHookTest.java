package dev.nn4j.core;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tensor.registerHook and Autograd.queueCallback: the engine's two extension points (PyTorch's semantics). */
class GradHookTest {
    private static double[] values(Tensor t) {
        return t.storage().toDoubleArray();
    }

    @Test
    void aHookSeesTheGradientOfItsTensorAndMayReplaceIt() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor y = x.mul(2.0);
        List<double[]> seen = new ArrayList<>();
        y.registerHook(g -> {
            seen.add(values(g));
            return g.mul(10.0);
        });
        y.mul(y).sum().backward(); // d/dy = 2y = (4, 8, 12); then x gets 2 * 10 * that
        assertArrayEquals(new double[] {4, 8, 12}, seen.get(0), 0);
        assertArrayEquals(new double[] {80, 160, 240}, values(x.grad()), 1e-12);
    }

    @Test
    void aRemovedHookNoLongerRuns() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor y = x.mul(3.0);
        int[] calls = {0};
        RemovableHandle h = y.registerHook(g -> {
            calls[0]++;
            return null;
        });
        h.remove();
        y.sum().backward();
        assertEquals(0, calls[0]);
        assertArrayEquals(new double[] {3, 3}, values(x.grad()), 0);
    }

    @Test
    void removingAHandleTwiceLeavesTheSameHooksOtherRegistration() {
        Tensor x = Tensor.of(new double[] {1}, 1).requiresGrad(true);
        Tensor y = x.mul(3.0);
        int[] calls = {0};
        java.util.function.UnaryOperator<Tensor> hook = g -> {
            calls[0]++;
            return null;
        };
        RemovableHandle first = y.registerHook(hook);
        y.registerHook(hook);
        first.remove();
        first.remove(); // a second remove does nothing: the other registration stays
        y.sum().backward();
        assertEquals(1, calls[0]);
    }

    @Test
    void aHookReturningTheWrongShapeIsRefused() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor y = x.mul(3.0);
        y.registerHook(g -> Tensor.of(new double[] {1, 2, 3}, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[2]"), e.getMessage());
    }

    @Test
    void hooksOnTensorsWithoutGradAreRefused() {
        Tensor plain = Tensor.of(new double[] {1}, 1);
        assertThrows(IllegalStateException.class, () -> plain.registerHook(g -> g));
    }

    @Test
    void aLeafHookSeesTheWholeGradientOfTheBackwardAndItsResultIsAccumulated() {
        // as PyTorch: x.register_hook(f) runs once per backward with the sum over x's uses, before .grad
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        List<double[]> seen = new ArrayList<>();
        RemovableHandle h = x.registerHook(g -> {
            seen.add(values(g));
            return g.mul(10.0);
        });
        x.mul(2.0).add(x.mul(x)).sum().backward(); // d/dx = 2 + 2x
        assertEquals(1, seen.size());
        assertArrayEquals(new double[] {4, 6}, seen.get(0));
        assertArrayEquals(new double[] {40, 60}, values(x.grad()));
        x.mul(3.0).sum().backward(); // accumulates the hook's result
        assertArrayEquals(new double[] {70, 90}, values(x.grad()));
        h.remove();
        x.mul(3.0).sum().backward();
        assertArrayEquals(new double[] {73, 93}, values(x.grad()));
        assertEquals(2, seen.size());
    }

    @Test
    void aLeafHookOnAWeightThatBlasWouldWriteInPlaceStillSeesItsGradient() {
        Tensor w = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).to(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                .requiresGrad(true);
        Tensor b = Tensor.zeros(2).to(org.nd4j.linalg.api.buffer.DataType.FLOAT).requiresGrad(true);
        Tensor x = Tensor.ones(4, 3).to(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        int[] calls = {0};
        w.registerHook(g -> {
            calls[0]++;
            return g.mul(0.5);
        });
        List<String> order = new ArrayList<>();
        w.registerPostAccumulateGradHook(t -> order.add("post " + values(t.grad())[0]));
        dev.nn4j.nn.Functional.linear(x, w, b).sum().backward(); // dW = 4 everywhere, halved by the hook
        assertEquals(1, calls[0]);
        assertArrayEquals(new double[] {2, 2, 2, 2, 2, 2}, values(w.grad()));
        assertArrayEquals(new double[] {4, 4}, values(b.grad()));
        assertEquals(List.of("post 2.0"), order, "post-accumulate hooks run after, with the hook's result in grad");
    }

    @Test
    void aHookMayNotChangeTheGradientsDtype() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        x.registerHook(g -> g.to(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.mul(2.0).sum().backward());
        assertTrue(e.getMessage().contains("DOUBLE") && e.getMessage().contains("FLOAT"), e.getMessage());
        Tensor y = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true).mul(3.0);
        y.registerHook(g -> g.to(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        assertThrows(IllegalArgumentException.class, () -> y.sum().backward());
    }

    @Test
    void aLeafRootsHookRunsWithoutRecordingAndMayQueueCallbacks() {
        Tensor x = Tensor.of(new double[] {3}).requiresGrad(true);
        int[] ran = {0};
        x.registerHook(g -> {
            assertTrue(!NoGrad.isGradEnabled(), "hooks run without recording");
            Autograd.queueCallback(() -> ran[0]++);
            return null;
        });
        x.backward();
        assertEquals(1, ran[0]);
        assertEquals(1.0, x.grad().item());
    }

    @Test
    void aLeafHookRunsWhenTheLeafIsTheRoot() {
        Tensor x = Tensor.of(new double[] {3}).requiresGrad(true);
        x.registerHook(g -> g.mul(-1.0));
        x.backward();
        assertEquals(-1.0, x.grad().item());
    }

    @Test
    void aQueuedCallbackRunsOnceEveryLeafGradientIsFinal() {
        // w is used twice, and its second use is reached only after the hooked tensor: the callback must still
        // see both contributions summed
        Tensor w = Tensor.of(new double[] {2}, 1).requiresGrad(true);
        Tensor first = w.mul(3.0);
        double[] atCallback = new double[1];
        int[] runs = {0};
        first.registerHook(g -> {
            Autograd.queueCallback(() -> {
                runs[0]++;
                atCallback[0] = w.grad().item();
            });
            return null;
        });
        Tensor loss = first.add(w.mul(w)).sum(); // d/dw = 3 + 2w = 7
        loss.backward();
        assertEquals(1, runs[0]);
        assertEquals(7, atCallback[0], 0);
    }

    @Test
    void queueCallbackOutsideABackwardIsRefused() {
        assertThrows(IllegalStateException.class, () -> Autograd.queueCallback(() -> { }));
    }

    @Test
    void aFailedBackwardRunsNoCallback() {
        Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor y = x.mul(3.0);
        int[] runs = {0};
        y.registerHook(g -> {
            Autograd.queueCallback(() -> runs[0]++);
            return null;
        });
        Tensor z = y.mul(2.0);
        z.registerHook(g -> {
            throw new IllegalStateException("boom");
        });
        assertThrows(IllegalStateException.class, () -> z.sum().backward());
        assertEquals(0, runs[0]);
        assertNull(x.grad());
        // the thread is not left inside a backward
        assertThrows(IllegalStateException.class, () -> Autograd.queueCallback(() -> { }));
    }

    @Test
    void aPostAccumulateHookRunsOnceWithTheFinalGradientOfALeafUsedSeveralTimes() {
        Tensor w = Tensor.of(new double[] {2}, 1).requiresGrad(true);
        Tensor other = Tensor.of(new double[] {5}, 1).requiresGrad(true);
        List<Double> seen = new ArrayList<>();
        int[] otherCalls = {0};
        RemovableHandle h = w.registerPostAccumulateGradHook(t -> seen.add(t.grad().item()));
        other.registerPostAccumulateGradHook(t -> otherCalls[0]++);
        // w three times, at different depths: 3w + w^2 + (w * other) -> d/dw = 3 + 2w + other = 12
        Tensor loss = w.mul(3.0).add(w.mul(w)).add(w.mul(other)).sum();
        loss.backward();
        assertEquals(List.of(12.0), seen);
        assertEquals(1, otherCalls[0]);
        h.remove();
        h.remove();
        w.mul(2.0).sum().backward();
        assertEquals(1, seen.size()); // removed: not run again
    }

    @Test
    void aLeafThatGetsNoGradientInABackwardRunsNoPostAccumulateHook() {
        Tensor used = Tensor.of(new double[] {1}, 1).requiresGrad(true);
        Tensor unused = Tensor.of(new double[] {1}, 1).requiresGrad(true);
        int[] calls = {0};
        unused.registerPostAccumulateGradHook(t -> calls[0]++);
        used.mul(2.0).sum().backward();
        assertEquals(0, calls[0]);
        assertThrows(IllegalStateException.class,
                () -> used.mul(2.0).registerPostAccumulateGradHook(t -> { }));
    }
}

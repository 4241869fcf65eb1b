package dev.nn4j.core;

import dev.nn4j.core.kernel.Blas;
import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.GradTarget;
import dev.nn4j.core.kernel.Storage;
import dev.nn4j.core.kernel.StorageAccess;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Ops whose backward writes several leaves' gradients in place ({@link Node#writesGradInPlace}): the engine
 * locks those leaves, and must do so in one order whatever the ops' input order.
 */
class InPlaceTargetsTest {
    /** {@code a + b} for equal shapes, writing each input's gradient into the buffer it is offered. */
    static final class AddInPlace extends Node {
        static Tensor apply(Tensor a, Tensor b) {
            Storage out = Elementwise.binary(Elementwise.BinaryOp.ADD, storage(a), storage(b), a.shape(), a.dtype());
            return record(new AddInPlace(), out, a, b);
        }

        @Override
        protected Storage[] backward(Storage g) {
            Storage[] grads = new Storage[2];
            for (int i = 0; i < 2; i++) {
                GradTarget t = gradTarget(i);
                if (t == null) {
                    grads[i] = g.copy();
                } else {
                    if (t.accumulate()) {
                        t.storage().addScaled(g, 1);
                    } else {
                        t.storage().assign(g);
                    }
                    t.markWritten();
                }
            }
            return grads;
        }

        @Override
        protected boolean writesGradInPlace(int i) {
            return true;
        }
    }

    @Test
    void twoThreadsTakingTheSameLeavesInOppositeOrderNeitherDeadlockNorLoseAnUpdate() throws Exception {
        Tensor a = Tensor.ones(8).requiresGrad(true);
        Tensor b = Tensor.ones(8).requiresGrad(true);
        // into the steady state: both gradients live in kept direct buffers, which later backward passes add to
        AddInPlace.apply(a, b).sum().backward();
        a.setGrad(null);
        b.setGrad(null);
        AddInPlace.apply(a, b).sum().backward();
        int rounds = 3000;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                Future<?> ab = pool.submit(() -> {
                    for (int k = 0; k < rounds; k++) {
                        AddInPlace.apply(a, b).sum().backward();
                    }
                });
                Future<?> ba = pool.submit(() -> {
                    for (int k = 0; k < rounds; k++) {
                        AddInPlace.apply(b, a).sum().backward();
                    }
                });
                ab.get();
                ba.get();
            });
        } finally {
            pool.shutdownNow();
        }
        double[] expected = new double[8];
        java.util.Arrays.fill(expected, 1 + 2 * rounds);
        assertArrayEquals(expected, StorageAccess.doubles(a.grad().storage()), 0);
        assertArrayEquals(expected, StorageAccess.doubles(b.grad().storage()), 0);
    }

    @Test
    void aSavedValueIsNeverTakenOverByALaterKernel() {
        Storage a = StorageAccess.ofFloats(new float[] {1, 2, 3, 4}, new long[] {2, 2});
        Storage product = Blas.gemm(a, a, false, false); // fresh: a kernel's unshared result
        new AddInPlace().save(product);
        assertNull(StorageAccess.owned(product), "once saved for a backward, it is shared");
        Storage y = StorageAccess.ofFloats(new float[] {0, 1, 0, 1}, new long[] {2, 2});
        Elementwise.reluBackward(product, y);
        assertArrayEquals(new float[] {7, 10, 15, 22}, StorageAccess.floats(product));
    }
}

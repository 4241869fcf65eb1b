package dev.nn4j.core;

import dev.nn4j.core.kernel.Blas;
import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.Storage;
import dev.nn4j.core.kernel.StorageAccess;
import dev.nn4j.core.ops.Addmm;
import dev.nn4j.nn.Module;
import dev.nn4j.nn.Sequential;
import dev.nn4j.optim.SGD;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradient buffers that the engine keeps across {@code zeroGrad()} and that BLAS writes in place (see
 * {@link dev.nn4j.core.kernel.GradTarget}). The oracle everywhere is the first backward, which runs the ordinary path (a new array,
 * checked against PyTorch and finite differences elsewhere): later backward passes through the reused buffers
 * must give the same numbers, and a gradient someone was handed must never change behind their back.
 */
class GradBufferReuseTest {
    private static final double[] FACTORS = {1, 2, -0.5, 3};

    private static dev.nn4j.nn.Linear layer(DataType type) {
        Rng.manualSeed(7);
        dev.nn4j.nn.Linear l = new dev.nn4j.nn.Linear(4, 3);
        l.to(type);
        return l;
    }

    private static Tensor input(DataType type) {
        Rng.manualSeed(11);
        return Tensor.randn(5, 4).to(type);
    }

    /** Gradient of {@code factor * sum(net(x) * w)} with a fixed, non-uniform weighting {@code w}. */
    private static void backward(Module net, Tensor x, double factor) {
        Tensor out = net.call(x);
        Tensor w = Tensor.arange(out.numel()).reshape(out.shape()).to(out.dtype()).sub(4.5);
        out.mul(w).sum().mul(factor).backward();
    }

    /** A few training-loop backward passes, after which every gradient lives in a kept direct buffer. */
    private static void steadyState(Module net, Tensor x) {
        for (int k = 0; k < 3; k++) {
            net.zeroGrad();
            backward(net, x, 1);
        }
    }

    private static double[] values(Storage s) {
        return s.toDoubleArray();
    }

    private static double[] scaled(double[] v, double f) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i] * f;
        }
        return r;
    }

    @Test
    void reusesOneBufferPerParameterAndMatchesTheFirstBackward() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            dev.nn4j.nn.Linear l = layer(type);
            Tensor x = input(type);
            backward(l, x, 1);
            double[] base = values(l.weight().gradStorage());
            double[] baseBias = values(l.bias().gradStorage());
            Storage kept = null;
            Storage keptBias = null;
            for (int k = 1; k < FACTORS.length; k++) {
                l.zeroGrad();
                backward(l, x, FACTORS[k]);
                Storage s = l.weight().gradStorage();
                Storage sb = l.bias().gradStorage();
                assertTrue(s.isDirect(), type + ": step " + k + " writes a direct buffer");
                assertTrue(sb.isDirect(), type + ": step " + k + " copies the bias gradient into a direct buffer");
                if (kept != null) {
                    assertSame(kept, s, type + ": step " + k + " reuses the buffer of the step before");
                    assertSame(keptBias, sb, type + ": step " + k + " reuses the bias buffer");
                }
                kept = s;
                keptBias = sb;
                assertArrayEquals(scaled(base, FACTORS[k]), values(s), 1e-6 * Math.abs(FACTORS[k]),
                        type + " weight grad, step " + k);
                assertArrayEquals(scaled(baseBias, FACTORS[k]), values(l.bias().gradStorage()), 1e-6 * 3,
                        type + " bias grad, step " + k);
            }
        }
    }

    @Test
    void aGradientHandedOutIsNeverOverwritten() {
        dev.nn4j.nn.Linear l = layer(DataType.FLOAT);
        Tensor x = input(DataType.FLOAT);
        steadyState(l, x); // where the buffer is reused
        Tensor handedOut = l.weight().grad();
        double[] before = values(handedOut.storage());
        l.zeroGrad();
        backward(l, x, 5);
        assertArrayEquals(before, values(handedOut.storage()), 0, "PyTorch keeps a cleared .grad's values");
        assertNotSame(handedOut.storage(), l.weight().gradStorage());
        assertArrayEquals(scaled(before, 5), values(l.weight().gradStorage()), 1e-5);
        // and the fresh gradient, never handed out, is reused again from the next step on
        Storage fresh = l.weight().gradStorage();
        l.zeroGrad();
        backward(l, x, 1);
        Storage next = l.weight().gradStorage();
        l.zeroGrad();
        backward(l, x, 1);
        assertSame(next, l.weight().gradStorage());
        Storage bias = l.bias().gradStorage();
        l.zeroGrad();
        l.weight().setGrad(null);
        backward(l, x, 2);
        assertSame(bias, l.bias().gradStorage(), "the bias's buffer too");
        assertNotSame(handedOut, l.weight().grad(), "nor is the tensor handed out reused as a later gradient");
        assertTrue(fresh != null);
    }

    @Test
    void accumulatesInPlaceWithoutZeroGradAndAfterZeroGradFalse() {
        dev.nn4j.nn.Linear l = layer(DataType.FLOAT);
        Tensor x = input(DataType.FLOAT);
        backward(l, x, 1);
        double[] base = values(l.weight().gradStorage());
        l.zeroGrad();
        backward(l, x, 1); // now in a reused direct buffer
        backward(l, x, 2); // accumulates into it: PyTorch's in-place grad += g
        assertArrayEquals(scaled(base, 3), values(l.weight().gradStorage()), 1e-5);
        Tensor g = l.weight().grad();
        SGD opt = new SGD(l.parameters(), 0.1);
        opt.zeroGrad(false); // zeros in place, the same tensor
        backward(l, x, -1);
        assertSame(g, l.weight().grad());
        assertArrayEquals(scaled(base, -1), values(g.storage()), 1e-6);
    }

    @Test
    void aWeightUsedTwiceSumsBothUsesLikeTheFirstBackward() {
        dev.nn4j.nn.Linear shared = layer(DataType.FLOAT);
        dev.nn4j.nn.Linear head = new dev.nn4j.nn.Linear(3, 4);
        Sequential tied = new Sequential(shared, head, shared);
        Tensor x = input(DataType.FLOAT);
        backward(tied, x, 1);
        double[] base = values(shared.weight().gradStorage());
        for (int k = 1; k < FACTORS.length; k++) {
            tied.zeroGrad();
            backward(tied, x, FACTORS[k]);
            assertArrayEquals(scaled(base, FACTORS[k]), values(shared.weight().gradStorage()),
                    1e-5 * Math.abs(FACTORS[k]), "tied weight, step " + k);
        }
    }

    @Test
    void aLeafThatIsTwoInputsOfOneOpGoesTheOrdinaryWay() {
        // y = W W^T + b: W is the input and the weight of one linear, so no single buffer may take its gradient
        Rng.manualSeed(3);
        Tensor w = Tensor.randn(3, 3).requiresGrad(true);
        Tensor b = Tensor.randn(3).requiresGrad(true);
        Supplier<double[]> grad = () -> {
            w.setGrad(null);
            b.setGrad(null);
            Addmm.apply(w, w, b).mul(Tensor.arange(9).reshape(3, 3).to(DataType.FLOAT)).sum().backward();
            return values(w.gradStorage());
        };
        double[] first = grad.get();
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(first, grad.get(), 0);
        }
        Tensor w64 = new Tensor(Storage.copyOf(w.storage().toDoubleArray(), w.shape()), w.device());
        Tensor b64 = new Tensor(Storage.copyOf(b.storage().toDoubleArray(), b.shape()), b.device());
        assertTrue(Autograd.gradcheck(t -> Addmm.apply(t[0], t[0], t[1]), w64, b64));
    }

    @Test
    void aDtypeMoveDropsTheKeptBufferAndTrainingGoesOn() {
        dev.nn4j.nn.Linear l = layer(DataType.FLOAT);
        Tensor x = input(DataType.FLOAT);
        steadyState(l, x);
        double[] base = values(l.weight().gradStorage());
        l.zeroGrad();
        l.to(DataType.DOUBLE);
        Tensor x64 = x.to(DataType.DOUBLE);
        for (int k = 0; k < 3; k++) {
            l.zeroGrad();
            backward(l, x64, 1);
            assertEquals(DataType.DOUBLE, l.weight().gradStorage().type());
            assertArrayEquals(base, values(l.weight().gradStorage()), 1e-5);
        }
    }

    @Test
    void loggingTheGradientDoesNotChangeTheTrainedWeights() {
        // the steady state updates through BLAS axpy; a gradient handed out each step goes through the Java loop:
        // both must round as one fused multiply-add, so watching training never changes its result
        float[][] finals = new float[2][];
        for (int run = 0; run < 2; run++) {
            Rng.manualSeed(5);
            dev.nn4j.nn.Linear l = new dev.nn4j.nn.Linear(37, 29); // sizes with BLAS vector tails
            Tensor x = Tensor.randn(8, 37);
            SGD opt = new SGD(l.parameters(), 0.37);
            for (int k = 0; k < 5; k++) {
                opt.zeroGrad();
                backward(l, x, 0.01);
                if (run == 1) {
                    assertTrue(l.weight().grad() != null); // handed out: its buffer is never reused
                }
                opt.step();
            }
            finals[run] = StorageAccess.floats(l.weight().storage()).clone();
        }
        for (int i = 0; i < finals[0].length; i++) {
            assertEquals(Float.floatToRawIntBits(finals[0][i]), Float.floatToRawIntBits(finals[1][i]),
                    "weight element " + i + ": " + finals[0][i] + " vs " + finals[1][i]);
        }
    }

    @Test
    void zeroLearningRateStillPropagatesAnInfiniteGradientAsPyTorchDoes() {
        dev.nn4j.nn.Linear l = layer(DataType.FLOAT);
        Tensor x = input(DataType.FLOAT);
        SGD opt = new SGD(l.parameters(), 0.1);
        for (int k = 0; k < 3; k++) { // into the steady state (direct buffers)
            opt.zeroGrad();
            backward(l, x, 1);
            opt.step();
        }
        opt.zeroGrad();
        backward(l, x, 1);
        l.weight().gradStorage().put(0, Double.POSITIVE_INFINITY);
        opt.lr(0).step(); // p.add_(g, alpha=-0.0): 0 * inf is NaN
        assertTrue(Double.isNaN(l.weight().storage().getDouble(0)));
        assertTrue(Double.isFinite(l.weight().storage().getDouble(1)));
    }

    @Test
    void emptyLayersTrainWithoutBuffers() {
        for (int[] dims : new int[][] {{0, 5}, {4, 0}}) {
            dev.nn4j.nn.Linear l = new dev.nn4j.nn.Linear(dims[0], dims[1]);
            Tensor x = Tensor.zeros(3, dims[0]);
            for (int k = 0; k < 3; k++) {
                l.zeroGrad();
                l.call(x).sum().backward();
                assertEquals(0, l.weight().gradStorage().size());
            }
        }
    }

    @Test
    void aFrozenParameterKeepsNoBuffer() {
        dev.nn4j.nn.Linear l = layer(DataType.FLOAT);
        Tensor x = input(DataType.FLOAT);
        steadyState(l, x);
        l.requiresGrad(false);
        l.zeroGrad();
        assertEquals(null, spare(l.weight()));
        l.requiresGrad(true);
        l.zeroGrad();
        backward(l, x, 1);
        l.zeroGrad(); // cleared while requiring grad: kept
        assertTrue(spare(l.weight()) != null);
    }

    private static Storage spare(Tensor t) {
        return t.gradState().spare();
    }

    @Test
    void reluBackwardOverwritesOnlyAnUnsharedKernelResult() {
        Storage y = StorageAccess.ofFloats(new float[] {0f, 2f, 0f, 3f}, new long[] {2, 2});
        Storage a = StorageAccess.ofFloats(new float[] {1, 2, 3, 4}, new long[] {2, 2});
        Storage fresh = Blas.gemm(a, a, false, false); // [[7, 10], [15, 22]], nobody else's
        Storage masked = Elementwise.reluBackward(fresh, y);
        assertSame(fresh, masked);
        assertArrayEquals(new float[] {0f, 10f, 0f, 22f}, StorageAccess.floats(masked));

        Storage held = Blas.gemm(a, a, false, false);
        Tensor user = new Tensor(held, dev.nn4j.device.Device.CPU); // a tensor holds it: shared from now on
        Storage out = Elementwise.reluBackward(held, y);
        assertNotSame(held, out);
        assertArrayEquals(new float[] {0f, 10f, 0f, 22f}, StorageAccess.floats(out));
        assertArrayEquals(new float[] {7f, 10f, 15f, 22f}, StorageAccess.floats(user.storage()));
    }

    @Test
    void reluBackwardLeavesTheCallersGradientAlone() {
        Rng.manualSeed(3);
        Tensor x = Tensor.randn(3, 4).requiresGrad(true);
        Tensor w = Tensor.randn(4, 5).requiresGrad(true);
        Tensor h = x.matmul(w);
        Tensor seed = Tensor.randn(3, 5);
        float[] before = StorageAccess.floats(seed.storage()).clone();
        h.relu().backward(seed, true);
        assertArrayEquals(before, StorageAccess.floats(seed.storage())); // the user's gradient is never a scratch buffer
        double[] first = values(x.grad().storage());
        x.setGrad(null);
        h.relu().backward(seed);
        assertArrayEquals(first, values(x.grad().storage()), 0);
    }
}

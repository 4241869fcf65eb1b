package dev.nn4j.nn;

import dev.nn4j.core.NoGrad;
import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.examples.MySequential;
import dev.nn4j.examples.ParallelBlock;
import dev.nn4j.examples.Stacked;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Registry semantics, modes, freezing, dtype moves, lookups, lazy modules, loads, errors and threads. */
class ModuleTest {
    static double[] values(Tensor t) {
        return t.array().castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
    }

    static final class WithState extends Module {
        final Parameter scale = registerParameter("scale", new Parameter(Tensor.ones(3)));
        final Tensor running = registerBuffer("running", Tensor.zeros(3));
        final Tensor scratch = registerBuffer("scratch", Tensor.zeros(3), false);
        final Linear fc = registerModule("fc", new Linear(3, 2));

        @Override
        protected Tensor forward(Tensor x) {
            return fc.call(x.mul(scale));
        }
    }

    @Test
    void registryKeepsInsertionOrderAndBufferPersistence() {
        WithState m = new WithState();
        assertEquals(List.of("scale", "fc.weight", "fc.bias"), new ArrayList<>(m.namedParameters().keySet()));
        assertEquals(List.of("running", "scratch"), new ArrayList<>(m.namedBuffers().keySet()));
        assertEquals(List.of("scale", "running", "fc.weight", "fc.bias"), new ArrayList<>(m.stateDict().keySet()));
        assertEquals(List.of("", "fc"), new ArrayList<>(m.namedModules().keySet()));
        assertEquals("WithState(\n  (fc): Linear(in_features=3, out_features=2, bias=True)\n)", m.toString());
    }

    @Test
    void namesAreChecked() {
        Sequential s = new Sequential(new ReLU());
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> s.add("0", new ReLU()));
        assertTrue(dup.getMessage().contains("attribute '0' already exists"), dup.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.add("a.b", new ReLU())).getMessage()
                .contains("can't contain \".\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.add("", new ReLU())).getMessage()
                .contains("can't be empty"));
        assertEquals(1, s.size());
    }

    @Test
    void tiedModulesAreListedOnce() {
        Linear shared = new Linear(2, 2);
        Sequential net = new Sequential(shared, new ReLU(), shared);
        assertEquals(List.of("", "0", "1"), new ArrayList<>(net.namedModules().keySet()));
        assertEquals(2, net.parameters().size());
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), new ArrayList<>(net.stateDict().keySet()));
        assertEquals(2, net.children().size());
    }

    @Test
    void applyVisitsChildrenFirstThenThis() {
        Sequential inner = new Sequential(new ReLU());
        Sequential net = new Sequential(new Linear(2, 2), inner);
        List<String> order = new ArrayList<>();
        assertSame(net, net.apply(m -> order.add(m.toString().split("\\(")[0] + "@" + System.identityHashCode(m))));
        assertEquals(4, order.size());
        assertTrue(order.get(0).startsWith("Linear"));
        assertTrue(order.get(1).startsWith("ReLU"));
        assertTrue(order.get(2).startsWith("Sequential@" + System.identityHashCode(inner)));
        assertTrue(order.get(3).startsWith("Sequential@" + System.identityHashCode(net)));
    }

    @Test
    void dropoutHonoursTrainAndEval() {
        Rng.manualSeed(7);
        Sequential net = new Sequential(new Dropout(0.5));
        Tensor x = Tensor.ones(1000);
        assertTrue(net.isTraining());
        double[] y = values(net.call(x));
        int zeros = 0;
        for (double v : y) {
            assertTrue(v == 0 || v == 2.0, "survivors are scaled by 1/(1-p)");
            zeros += v == 0 ? 1 : 0;
        }
        assertTrue(zeros > 400 && zeros < 600, "about half dropped: " + zeros);
        net.eval();
        assertFalse(net.get(0).isTraining());
        assertSame(x, net.call(x), "eval mode returns the input");
        assertEquals("Dropout(p=0.5, inplace=False)", new Dropout(0.5).toString());
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
    }

    @Test
    void dropoutWithAProbabilityTooSmallToChangeAnythingKeepsEveryElement() {
        Tensor x = Tensor.rand(4);
        assertArrayEquals(values(x), values(Functional.dropout(x, 1e-17, true)));
    }

    @Test
    void attentionOverNoKeysGivesWhatTheWeightedPathGives() {
        MultiheadAttention mha = MultiheadAttention.builder(8, 2).batchFirst(true).build();
        Tensor q = Tensor.randn(1, 2, 8);
        Tensor k = Tensor.zeros(1, 0, 8);
        Tensor fast = mha.callWithWeights(q, k, k, null, null, false, true).output();
        Tensor weighted = mha.callWithWeights(q, k, k, null, null, true, true).output();
        assertArrayEquals(values(weighted), values(fast));
    }

    @Test
    void zeroGradAndFreezing() {
        Sequential net = new Sequential(new Linear(3, 2));
        net.call(Tensor.ones(1, 3)).sum().backward();
        Linear l = net.get(0);
        assertTrue(l.weight().grad() != null);
        net.zeroGrad();
        assertNull(l.weight().grad());
        net.requiresGrad(false);
        Tensor x = Tensor.ones(1, 3).requiresGrad(true);
        net.call(x).sum().backward();
        assertNull(l.weight().grad(), "frozen parameters get no gradient");
        assertTrue(x.grad() != null, "the input still does");
    }

    @Test
    void toDataTypeConvertsInPlaceKeepingIdentity() {
        Sequential net = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
        Linear first = net.get(0);
        Parameter w = first.weight();
        double[] before = values(w);
        net.to(DataType.DOUBLE);
        assertSame(w, first.weight());
        assertEquals(DataType.DOUBLE, w.dtype());
        assertArrayEquals(before, values(w), 0);
        Tensor y = net.call(Tensor.ones(4, 3).to(DataType.DOUBLE));
        assertEquals(DataType.DOUBLE, y.dtype());
        assertThrows(IllegalArgumentException.class, () -> net.to(DataType.LONG));
    }

    @Test
    void lookupsByPathWithClearErrors() {
        Sequential net = new Sequential(new Sequential(new Linear(2, 2)), new ReLU());
        assertSame(net.get(0), net.getSubmodule("0"));
        Sequential inner = net.get(0);
        assertSame(inner.get(0), net.getSubmodule("0.0"));
        assertSame(((Linear) inner.get(0)).bias(), net.getParameter("0.0.bias"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.getSubmodule("0.7"));
        assertTrue(e.getMessage().contains("\"7\"") && e.getMessage().contains("at \"0\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> net.getParameter("0.0.gamma"));
        assertTrue(e.getMessage().contains("no parameter \"gamma\""), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> net.get(5));
        assertSame(net.get(1), net.get(-1));
    }

    @Test
    void linearInitializationIsUniformWithinOneOverSqrtIn() {
        Rng.manualSeed(3);
        Linear l = new Linear(400, 300);
        double bound = 1 / Math.sqrt(400);
        double[] w = values(l.weight());
        double sum = 0;
        double sq = 0;
        for (double v : w) {
            assertTrue(Math.abs(v) <= bound);
            sum += v;
            sq += v * v;
        }
        double mean = sum / w.length;
        double var = sq / w.length - mean * mean;
        // U(-b, b): mean 0 and variance b^2/3; 120,000 draws put both well inside these bands
        assertEquals(0, mean, 0.01 * bound);
        assertEquals(bound * bound / 3, var, 0.02 * bound * bound / 3);
        for (double v : values(l.bias())) {
            assertTrue(Math.abs(v) <= bound);
        }
    }

    @Test
    void lazyLinearRefusesParameterUseBeforeInitialization() {
        LazyLinear lazy = new LazyLinear(4);
        assertFalse(lazy.isInitialized());
        IllegalStateException e = assertThrows(IllegalStateException.class, lazy::weight);
        assertTrue(e.getMessage().contains("not been fully initialized"), e.getMessage());
        Parameter placeholder = lazy.namedParameters().get("weight");
        lazy.call(Tensor.ones(2, 6));
        assertTrue(lazy.isInitialized());
        assertSame(placeholder, lazy.weight(), "the same Parameter object, now shaped");
        assertArrayEquals(new long[] {4, 6}, lazy.weight().shape());
        assertEquals(6, lazy.inFeatures());
    }

    @Test
    void lazyLinearTakesItsShapeFromAStateDict() {
        Sequential source = new Sequential(new Linear(5, 3));
        Sequential lazy = new Sequential(new LazyLinear(3));
        lazy.loadStateDict(source.stateDict());
        assertEquals("Sequential(\n  (0): Linear(in_features=5, out_features=3, bias=True)\n)", lazy.toString());
        assertArrayEquals(values(((Linear) source.get(0)).weight()), values(((Linear) lazy.get(0)).weight()), 0);

        Sequential wrongOut = new Sequential(new LazyLinear(4));
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                () -> wrongOut.loadStateDict(source.stateDict()));
        assertTrue(mismatch.getMessage().contains("size mismatch for 0.weight")
                && !mismatch.getMessage().contains("Unexpected"), mismatch.getMessage());

        Sequential refused = new Sequential(new LazyLinear(3));
        Map<String, Tensor> bad = new java.util.LinkedHashMap<>(source.stateDict());
        bad.put("extra", Tensor.ones(1));
        assertThrows(IllegalArgumentException.class, () -> refused.loadStateDict(bad));
        assertFalse(((LazyLinear) refused.get(0)).isInitialized(), "a refused load changes nothing");
    }

    @Test
    void strictLoadReportsEveryProblemAtOnceAndChangesNothing() {
        Sequential net = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
        Map<String, Tensor> before = new java.util.LinkedHashMap<>();
        net.stateDict().forEach((k, v) -> before.put(k, Tensor.of(v.array().dup())));
        Map<String, Tensor> sd = new java.util.LinkedHashMap<>();
        sd.put("0.weight", Tensor.ones(3, 2));
        sd.put("0.bias", Tensor.ones(4));
        sd.put("2.weight", Tensor.ones(1, 3));
        sd.put("surplus", Tensor.ones(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(sd));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("Error(s) in loading state_dict for Sequential:"), msg);
        assertTrue(msg.contains("Missing key(s) in state_dict: \"2.bias\""), msg);
        assertTrue(msg.contains("Unexpected key(s) in state_dict: \"surplus\""), msg);
        assertTrue(msg.contains("size mismatch for 0.bias: copying a param with shape [4] from checkpoint, "
                + "the shape in current model is [3]."), msg);
        net.stateDict().forEach((k, v) -> assertArrayEquals(values(before.get(k)), values(v), 0, k + " changed"));

        sd.put("0.bias", Tensor.ones(3));
        LoadResult r = net.loadStateDict(sd, false);
        assertEquals(List.of("2.bias"), r.missingKeys());
        assertEquals(List.of("surplus"), r.unexpectedKeys());
        assertArrayEquals(new double[] {1, 1, 1}, values(net.getParameter("0.bias")), 0);
    }

    static final class Outer extends Module {
        final Linear hidden = registerModule("hidden", new Linear(30, 256));

        @Override
        protected Tensor forward(Tensor x) {
            return hidden.call(x);
        }
    }

    @Test
    void thePathIsCollectedOnTheWayOutAndLeavesNothingBehind() {
        Sequential deep = new Sequential(new Sequential(new ReLU(), new Outer()));
        ModuleInputException e = assertThrows(ModuleInputException.class, () -> deep.call(Tensor.ones(2, 20)));
        assertEquals("0.1.hidden", e.modulePath());
        assertTrue(e.getMessage().startsWith("Linear(in_features=30, out_features=256, bias=True) at \"0.1.hidden\""),
                e.getMessage());
        // called on its own, the same layer is the whole model: no stale path from the failed call above
        Module inner = ((Outer) deep.children().get(0).children().get(1)).hidden;
        e = assertThrows(ModuleInputException.class, () -> inner.call(Tensor.ones(2, 20)));
        assertEquals("", e.modulePath());
        assertEquals(256, deep.call(Tensor.ones(2, 30)).size(1));
        // caught inside a module's forward, the path runs from the child whose call it left
        Module catching = new Module() {
            final Outer inner = registerModule("inner", new Outer());
            @Override
            protected Tensor forward(Tensor x) {
                try {
                    return inner.call(x);
                } catch (ModuleInputException caught) {
                    assertEquals("hidden", caught.modulePath());
                    throw caught;
                }
            }
        };
        e = assertThrows(ModuleInputException.class, () -> new Sequential(catching).call(Tensor.ones(2, 20)));
        assertEquals("0.inner.hidden", e.modulePath());
        // it travels (RMI, task failures) without dragging the model along
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(e);
        } catch (java.io.IOException io) {
            throw new AssertionError(io);
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(e.getMessage(), ((ModuleInputException) in.readObject()).getMessage());
        } catch (java.io.IOException | ClassNotFoundException io) {
            throw new AssertionError(io);
        }
        // a loss refusing its target is named too
        e = assertThrows(ModuleInputException.class, () -> new MSELoss().call(Tensor.ones(2), Tensor.ones(3)));
        assertTrue(e.getMessage().startsWith("MSELoss() at \"\": mse_loss: input shape"), e.getMessage());
    }

    @Test
    void badInputNamesTheModulePathAndBothShapes() {
        Sequential net = new Sequential(new Outer());
        ModuleInputException e = assertThrows(ModuleInputException.class, () -> net.call(Tensor.ones(2, 20)));
        assertTrue(e.getMessage().startsWith(
                "Linear(in_features=30, out_features=256, bias=True) at \"0.hidden\": input has 20 features, expected 30"),
                e.getMessage());
        assertEquals("0.hidden", e.modulePath());

        Sequential custom = new Sequential(new ReLU(), new dev.nn4j.examples.MyLinear(4, 2));
        e = assertThrows(ModuleInputException.class, () -> custom.call(Tensor.ones(2, 5)));
        assertTrue(e.getMessage().contains("MyLinear() at \"1\"") && e.getMessage().contains("2x5")
                && e.getMessage().contains("4x2"), e.getMessage());
    }

    @Test
    void inferenceFromEightThreadsMatchesSingleThreaded() throws Exception {
        Sequential net = new Sequential(new Linear(20, 64), new ReLU(), new Linear(64, 10));
        Tensor x = Tensor.randn(16, 20);
        double[] expected;
        try (NoGrad g = NoGrad.enter()) {
            expected = values(net.call(x));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<double[]>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    double[] last = null;
                    for (int i = 0; i < 50; i++) {
                        try (NoGrad g = NoGrad.enter()) {
                            last = values(net.call(x));
                        }
                    }
                    return last;
                }));
            }
            for (Future<double[]> f : results) {
                assertArrayEquals(expected, f.get(), 0);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void twoModulesTrainOnTwoThreadsWithTheirOwnGradients() throws Exception {
        Rng.manualSeed(11);
        Sequential a = new Sequential(new Linear(4, 8), new Tanh(), new Linear(8, 1));
        Sequential b = new Sequential(new Linear(4, 8), new Tanh(), new Linear(8, 1));
        Tensor xa = Tensor.randn(5, 4);
        Tensor xb = Tensor.randn(5, 4);
        a.call(xa).sum().backward();
        b.call(xb).sum().backward();
        List<double[]> expectA = grads(a);
        List<double[]> expectB = grads(b);
        a.zeroGrad();
        b.zeroGrad();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> fa = pool.submit(() -> a.call(xa).sum().backward());
            Future<?> fb = pool.submit(() -> b.call(xb).sum().backward());
            fa.get();
            fb.get();
        } finally {
            pool.shutdown();
        }
        assertGradsEqual(expectA, grads(a));
        assertGradsEqual(expectB, grads(b));
    }

    private static List<double[]> grads(Module m) {
        List<double[]> out = new ArrayList<>();
        m.parameters().forEach(p -> out.add(values(p.grad())));
        return out;
    }

    private static void assertGradsEqual(List<double[]> expected, List<double[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), 1e-6);
        }
    }

    @Test
    void parallelBlockAndStackedCopies() {
        ParallelBlock par = new ParallelBlock(new Linear(4, 3), new Sequential(new Linear(4, 2), new ReLU()));
        Tensor y = par.call(Tensor.ones(5, 4));
        assertArrayEquals(new long[] {5, 5}, y.shape());
        Sequential stack = Stacked.of(3, () -> new Sequential(new Linear(4, 4), new ReLU()));
        assertEquals(3, stack.size());
        assertNotSame(((Sequential) stack.get(0)).get(0), ((Sequential) stack.get(1)).get(0));
        assertEquals(6, stack.parameters().size(), "each copy has its own parameters");
        assertArrayEquals(new long[] {2, 4}, stack.call(Tensor.ones(2, 4)).shape());
        MySequential mine = new MySequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
        assertArrayEquals(new long[] {2, 10}, mine.call(Tensor.rand(2, 20)).shape());
    }

    @Test
    void printsOtherLayersLikePyTorch() {
        assertEquals("Sequential(\n  (0): Flatten(start_dim=1, end_dim=-1)\n  (1): Softmax(dim=1)\n"
                + "  (2): Identity()\n  (3): Sigmoid()\n  (4): Tanh()\n)",
                new Sequential(new Flatten(), new Softmax(1), new Identity(), new Sigmoid(), new Tanh()).toString());
        assertEquals("Linear(in_features=3, out_features=2, bias=False)", new Linear(3, 2, false).toString());
        assertEquals("MSELoss()", new MSELoss().toString());
        assertArrayEquals(new long[] {2, 12}, new Flatten().call(Tensor.ones(2, 3, 4)).shape());
    }
}

package dev.nn4j.optim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.NoGrad;
import dev.nn4j.core.Tensor;
import dev.nn4j.device.Device;
import dev.nn4j.device.DeviceBackend;
import dev.nn4j.device.Devices;
import dev.nn4j.nn.Functional;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Parameter;
import dev.nn4j.nn.Sequential;
import dev.nn4j.nn.Tanh;
import dev.nn4j.testing.Fixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static dev.nn4j.optim.OptimParityTest.MAKERS;
import static dev.nn4j.optim.OptimParityTest.fixture;
import static dev.nn4j.optim.OptimParityTest.model;
import static dev.nn4j.optim.OptimParityTest.trainStep;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Optimizer behaviour beyond the trajectories: lr changes, state that follows its parameter, resume, refusals. */
class OptimizerBehaviourTest {
    private final JsonNode f = fixture("adam");
    private final Tensor x = Fixtures.tensor(f.get("X"));
    private final Tensor y = Fixtures.tensor(f.get("Y"));

    private Sequential net(DataType type) {
        return model(f, type);
    }

    /** A copy of every value of {@code net}'s parameters, for exact comparisons. */
    private static List<double[]> weights(Sequential net) {
        List<double[]> out = new ArrayList<>();
        for (Parameter p : net.parameters()) {
            out.add(p.array().castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector());
        }
        return out;
    }

    private static void assertSameWeights(List<double[]> expected, List<double[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), 0.0, "parameter " + i);
        }
    }

    /** What writing to a file and reading it back gives: independent copies. */
    private static Map<String, Tensor> snapshot(Map<String, Tensor> sd) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        sd.forEach((k, t) -> out.put(k, Tensor.of(t.array().dup())));
        return out;
    }

    private static void assertSameStateDict(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()));
        expected.forEach((k, t) -> {
            assertEquals(t.dtype(), actual.get(k).dtype(), k);
            assertEquals(t.array(), actual.get(k).array(), k);
        });
    }

    private static void assertRefused(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String s : fragments) {
            assertTrue(e.getMessage().contains(s), "message should contain \"" + s + "\": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- learning rate

    @Test
    void lrChangeBetweenStepsTakesEffect() {
        Sequential a = net(DataType.DOUBLE);
        Sequential b = net(DataType.DOUBLE);
        SGD optA = new SGD(a.parameters(), 0.1);
        trainStep(a, optA, x, y);
        trainStep(b, new SGD(b.parameters(), 0.1), x, y);
        assertSame(optA, optA.lr(0.03));
        assertEquals(0.03, optA.lr());
        trainStep(a, optA, x, y);
        trainStep(b, new SGD(b.parameters(), 0.03), x, y);
        assertSameWeights(weights(b), weights(a));

        Adam adam = new Adam(a.parameters(), 0.01);
        trainStep(a, adam, x, y);
        adam.lr(0);
        List<double[]> before = weights(a);
        trainStep(a, adam, x, y);
        assertSameWeights(before, weights(a));
        assertEquals(2.0, adam.stateDict().get("state.0.step").item(), "the step still counts");
    }

    // ---------------------------------------------------------------- state follows its parameter

    @Test
    void stateFollowsTheSameParameterObjectsThroughModuleToDouble() {
        Sequential a = net(DataType.FLOAT);
        Adam optA = new Adam(a.parameters(), 0.01);
        Tensor x32 = x.to(DataType.FLOAT);
        Tensor y32 = y.to(DataType.FLOAT);
        trainStep(a, optA, x32, y32);
        trainStep(a, optA, x32, y32);
        List<Parameter> params = a.parameters();
        a.to(DataType.DOUBLE);
        assertEquals(params, a.parameters(), "module.to keeps the Parameter objects");
        trainStep(a, optA, x, y);

        Map<String, Tensor> sd = optA.stateDict();
        assertEquals(4 * 3 + 7, sd.size(), "no orphaned or duplicated state");
        for (int i = 0; i < 4; i++) {
            assertEquals(3.0, sd.get("state." + i + ".step").item(), "state " + i + " kept counting");
            assertEquals(DataType.DOUBLE, sd.get("state." + i + ".exp_avg").dtype());
            assertEquals(DataType.DOUBLE, sd.get("state." + i + ".exp_avg_sq").dtype());
        }

        // the same conversion done by hand: save in float32, convert the model, load into a float64 optimizer
        Sequential b = net(DataType.FLOAT);
        Adam optB = new Adam(b.parameters(), 0.01);
        trainStep(b, optB, x32, y32);
        trainStep(b, optB, x32, y32);
        Map<String, Tensor> saved = snapshot(optB.stateDict());
        b.to(DataType.DOUBLE);
        Adam optB2 = new Adam(b.parameters(), 0.01);
        optB2.loadStateDict(saved);
        trainStep(b, optB2, x, y);
        assertSameWeights(weights(b), weights(a));
    }

    /** A backend with one simulated GPU: arrays stay on the host, but tensors carry the device. */
    private static final class OneFakeGpu implements DeviceBackend {
        @Override
        public int cudaCount() {
            return 1;
        }

        @Override
        public String describe() {
            return "simulated (1 GPU)";
        }

        @Override
        public INDArray copyTo(INDArray array, Device device) {
            return array.dup();
        }

        @Override
        public void bindThread(Device device) {
        }
    }

    @Test
    void stateMovesToTheParameterDeviceAtTheNextStep() {
        DeviceBackend previous = Devices.useBackend(new OneFakeGpu());
        try {
            Sequential a = net(DataType.DOUBLE);
            SGD opt = new SGD(a.parameters(), 0.05).momentum(0.9);
            trainStep(a, opt, x, y);
            Device gpu = Device.cuda(0);
            a.to(gpu);
            assertEquals(Device.CPU, opt.stateDict().get("state.0.momentum_buffer").device(), "moved lazily");
            trainStep(a, opt, x.to(gpu), y.to(gpu));
            opt.stateDict().forEach((k, t) -> {
                if (k.startsWith("state.")) {
                    assertEquals(gpu, t.device(), k);
                }
            });

            Sequential b = net(DataType.DOUBLE);
            SGD ref = new SGD(b.parameters(), 0.05).momentum(0.9);
            trainStep(b, ref, x, y);
            trainStep(b, ref, x, y);
            assertSameWeights(weights(b), weights(a));
        } finally {
            Devices.useBackend(previous);
        }
    }

    // ---------------------------------------------------------------- save and resume

    @Test
    void aStepBetweenForwardAndBackwardIsReported() {
        Sequential n = new Sequential(new Linear(3, 5), new Tanh(), new Linear(5, 2));
        Optimizer opt = new SGD(n.parameters(), 0.1);
        Tensor xf = x.to(DataType.FLOAT);
        Functional.mseLoss(n.call(xf), y.to(DataType.FLOAT)).backward();
        Tensor pending = Functional.mseLoss(n.call(xf), y.to(DataType.FLOAT));
        opt.step();
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                pending::backward);
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("modified by an inplace operation"),
                e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sgd", "sgd_momentum_wd", "sgd_nesterov", "adam"})
    void gradientsHeldInNd4jArraysStepLikeHeapGradients(String name) {
        Sequential a = new Sequential(new Linear(3, 5), new Tanh(), new Linear(5, 2));
        Sequential b = new Sequential(new Linear(3, 5), new Tanh(), new Linear(5, 2));
        b.loadStateDict(snapshot(a.stateDict()));
        Optimizer optA = MAKERS.get(name).apply(a.parameters());
        Optimizer optB = MAKERS.get(name).apply(b.parameters());
        Tensor xf = x.to(DataType.FLOAT);
        Tensor yf = y.to(DataType.FLOAT);
        for (int k = 0; k < 3; k++) {
            trainStep(a, optA, xf, yf);
            optB.zeroGrad();
            Functional.mseLoss(b.call(xf), yf).backward();
            b.parameters().forEach(p -> p.grad().array()); // the gradient now lives in an ND4J array
            optB.step();
        }
        assertSameWeights(weights(a), weights(b));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sgd_momentum_wd", "adamw"})
    void resumingThroughCheckpointFilesContinuesExactly(String name, @org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) {
        Function<List<Parameter>, Optimizer> make = MAKERS.get(name);
        Sequential a = net(DataType.DOUBLE);
        Optimizer optA = make.apply(a.parameters());
        for (int k = 0; k < 3; k++) {
            trainStep(a, optA, x, y);
        }
        dev.nn4j.io.Checkpoint.save(a.stateDict(), dir.resolve("model.safetensors"));
        dev.nn4j.io.Checkpoint.save(optA.stateDict(), dir.resolve("optim.safetensors"));
        trainStep(a, optA, x, y);
        trainStep(a, optA, x, y);

        Sequential b = new Sequential(new Linear(3, 5), new Tanh(), new Linear(5, 2));
        b.to(DataType.DOUBLE);
        b.loadStateDict(dev.nn4j.io.Checkpoint.loadMap(dir.resolve("model.safetensors")));
        Optimizer optB = make.apply(b.parameters());
        optB.loadStateDict(dev.nn4j.io.Checkpoint.loadMap(dir.resolve("optim.safetensors")));
        trainStep(b, optB, x, y);
        trainStep(b, optB, x, y);
        assertSameWeights(weights(a), weights(b));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sgd", "sgd_momentum_wd", "sgd_nesterov", "adam", "adamw"})
    void resumingFromAStateDictContinuesExactly(String name) {
        Function<List<Parameter>, Optimizer> make = MAKERS.get(name);
        Sequential a = net(DataType.DOUBLE);
        Optimizer optA = make.apply(a.parameters());
        for (int k = 0; k < 3; k++) {
            trainStep(a, optA, x, y);
        }
        Map<String, Tensor> savedModel = snapshot(a.stateDict());
        Map<String, Tensor> savedOpt = snapshot(optA.stateDict());
        trainStep(a, optA, x, y);
        trainStep(a, optA, x, y);

        Sequential b = new Sequential(new Linear(3, 5), new Tanh(), new Linear(5, 2));
        b.to(DataType.DOUBLE);
        b.loadStateDict(savedModel);
        // built with other hyper-parameters: loading restores the saved ones
        Optimizer optB = name.startsWith("sgd") ? new SGD(b.parameters(), 1.0)
                : name.equals("adam") ? new Adam(b.parameters(), 1.0).eps(0.1) : new AdamW(b.parameters(), 1.0);
        optB.loadStateDict(savedOpt);
        assertEquals(optA.lr(), optB.lr());
        assertEquals(optA.toString(), optB.toString());
        trainStep(b, optB, x, y);
        trainStep(b, optB, x, y);
        assertSameWeights(weights(a), weights(b));
    }

    @Test
    void stateDictLayout() {
        Sequential a = net(DataType.DOUBLE);
        Adam adam = new Adam(a.parameters(), 0.01);
        Map<String, Tensor> fresh = adam.stateDict();
        assertEquals(List.of("param_groups.0.lr", "param_groups.0.betas.0", "param_groups.0.betas.1",
                "param_groups.0.eps", "param_groups.0.weight_decay", "param_groups.0.decoupled_weight_decay",
                "param_groups.0.params"),
                new ArrayList<>(fresh.keySet()), "no state before the first step");
        trainStep(a, adam, x, y);
        Map<String, Tensor> sd = adam.stateDict();
        assertEquals(List.of("state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq"),
                new ArrayList<>(sd.keySet()).subList(0, 3));
        assertEquals(0, sd.get("param_groups.0.lr").dim());
        assertEquals(DataType.DOUBLE, sd.get("param_groups.0.lr").dtype());
        assertEquals(0.01, sd.get("param_groups.0.lr").item());
        assertEquals(0.999, sd.get("param_groups.0.betas.1").item());
        assertEquals(DataType.LONG, sd.get("param_groups.0.params").dtype());
        assertArrayEquals(new long[] {0, 1, 2, 3}, sd.get("param_groups.0.params").array().toLongVector());
        assertArrayEquals(a.parameters().get(2).shape(), sd.get("state.2.exp_avg").shape());

        SGD plain = new SGD(a.parameters(), 0.1);
        trainStep(a, plain, x, y);
        assertFalse(plain.stateDict().keySet().stream().anyMatch(k -> k.startsWith("state.")),
                "plain SGD keeps no state");
        assertEquals(1.0, new SGD(a.parameters(), 0.1).momentum(0.5).nesterov(true).stateDict()
                .get("param_groups.0.nesterov").item());
        assertEquals(0.01, new AdamW(a.parameters(), 1e-3).weightDecay(), "PyTorch's AdamW default");
        assertEquals(0.0, new Adam(a.parameters(), 1e-3).weightDecay(), "PyTorch's Adam default");
    }

    // ---------------------------------------------------------------- gradients

    @Test
    void parametersWithNullGradAreUntouchedAndGetNoState() {
        Sequential a = net(DataType.DOUBLE);
        AdamW opt = new AdamW(a.parameters(), 0.01).weightDecay(0.5);
        Parameter frozen = a.parameters().get(1);
        List<double[]> before = weights(a);
        opt.zeroGrad();
        lossOf(a).backward();
        frozen.setGrad(null);
        opt.step();
        List<double[]> after = weights(a);
        assertArrayEquals(before.get(1), after.get(1), 0.0, "no grad, no update (not even the decay)");
        assertFalse(Arrays.equals(before.get(0), after.get(0)));
        assertNull(opt.stateDict().get("state.1.exp_avg"));
        assertNotNull(opt.stateDict().get("state.0.exp_avg"));
    }

    private Tensor lossOf(Sequential net) {
        return Functional.mseLoss(net.call(x), y);
    }

    @Test
    void stepLeavesGradientsAloneAndRecordsNothing() {
        Sequential a = net(DataType.DOUBLE);
        SGD opt = new SGD(a.parameters(), 0.1).weightDecay(0.5).momentum(0.9);
        lossOf(a).backward();
        List<INDArray> grads = new ArrayList<>();
        for (Parameter p : a.parameters()) {
            grads.add(p.grad().array().dup());
        }
        opt.step();
        for (int i = 0; i < grads.size(); i++) {
            Parameter p = a.parameters().get(i);
            assertEquals(grads.get(i), p.grad().array(), "weight decay must not leak into p.grad");
            assertTrue(p.isLeaf());
            assertNull(p.gradFn());
            assertTrue(p.requiresGrad());
        }
    }

    @Test
    void zeroGradSetsToNullOrZerosInPlace() {
        Sequential a = net(DataType.DOUBLE);
        SGD opt = new SGD(a.parameters(), 0.1);
        lossOf(a).backward();
        Tensor g0 = a.parameters().get(0).grad();
        opt.zeroGrad(false);
        assertSame(g0, a.parameters().get(0).grad());
        assertEquals(0.0, g0.array().amaxNumber().doubleValue());
        opt.zeroGrad();
        for (Parameter p : a.parameters()) {
            assertNull(p.grad());
        }
        opt.step(); // every grad is null: nothing to do
    }

    @Test
    void viewParametersAreUpdatedThroughTheView() {
        INDArray base = Nd4j.linspace(DataType.DOUBLE, 1, 12, 1).reshape(3, 4);
        INDArray column = base.getColumn(1); // a strided view
        Parameter p = new Parameter(Tensor.of(column));
        p.setGrad(Tensor.of(Nd4j.ones(DataType.DOUBLE, column.shape())));
        new SGD(List.of(p), 0.5).step();
        assertArrayEquals(new double[] {1.5, 5.5, 9.5}, base.getColumn(1).toDoubleVector(), 0.0);
        assertEquals(1.0, base.getDouble(0, 0), "neighbours untouched");
    }

    @Test
    void scalarAndEmptyParametersStep() {
        Parameter scalar = new Parameter(Tensor.of(new double[] {2.0}));
        Parameter empty = new Parameter(Tensor.of(Nd4j.create(DataType.DOUBLE, 0, 3)));
        List<Parameter> ps = List.of(scalar, empty);
        for (Optimizer opt : List.of(new SGD(ps, 0.5).momentum(0.9), new Adam(ps, 0.5), new AdamW(ps, 0.5))) {
            scalar.setGrad(Tensor.of(new double[] {1.0}));
            empty.setGrad(Tensor.of(Nd4j.create(DataType.DOUBLE, 0, 3)));
            double before = scalar.item();
            opt.step();
            assertTrue(scalar.item() < before, opt + " moves against the gradient");
            String buffer = opt instanceof SGD ? "momentum_buffer" : "exp_avg";
            assertEquals(0, opt.stateDict().get("state.0." + buffer).dim());
            assertArrayEquals(new long[] {0, 3}, opt.stateDict().get("state.1." + buffer).shape());
            opt.loadStateDict(snapshot(opt.stateDict()));
        }
    }

    // ---------------------------------------------------------------- refusals

    @Test
    void badParameterListsAreRefused() {
        List<Parameter> ps = net(DataType.DOUBLE).parameters();
        assertRefused(() -> new SGD(List.of(), 0.1), "optimizer got an empty parameter list");
        assertRefused(() -> new Adam(null, 0.1), "params is null");
        List<Parameter> withNull = new ArrayList<>(ps);
        withNull.add(null);
        assertRefused(() -> new AdamW(withNull, 0.1), "params[4] is null");
        List<Parameter> twice = new ArrayList<>(ps);
        twice.add(ps.get(1));
        assertRefused(() -> new SGD(twice, 0.1), "appear more than once", "params[4]", "params[1]");
    }

    @Test
    void badHyperParametersAreRefusedAndChangeNothing() {
        List<Parameter> ps = net(DataType.DOUBLE).parameters();
        assertRefused(() -> new SGD(ps, -0.1), "lr=-0.1");
        assertRefused(() -> new Adam(ps, Double.NaN), "lr=NaN");
        assertRefused(() -> new AdamW(ps, Double.POSITIVE_INFINITY), "lr=Infinity");

        SGD sgd = new SGD(ps, 0.1).momentum(0.9).weightDecay(0.01);
        assertRefused(() -> sgd.lr(-1), "SGD", "lr=-1.0");
        assertRefused(() -> sgd.momentum(-0.5), "momentum=-0.5");
        assertRefused(() -> sgd.weightDecay(-1e-4), "weightDecay=-1.0E-4");
        assertRefused(() -> sgd.dampening(Double.NaN), "dampening=NaN");
        assertEquals("SGD(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.01, nesterov=0.0)", sgd.toString());

        Adam adam = new Adam(ps, 0.01);
        assertRefused(() -> adam.betas(1.0, 0.999), "beta parameter at index 0", "1.0");
        assertRefused(() -> adam.betas(0.9, -0.1), "beta parameter at index 1", "-0.1");
        assertRefused(() -> adam.eps(-1e-8), "eps=-1.0E-8");
        assertRefused(() -> adam.weightDecay(-1), "weightDecay=-1.0");
        assertEquals(0.9, adam.beta1());
        assertEquals(0.999, adam.beta2());
        assertEquals(1e-8, adam.eps());
        assertEquals(0.01, adam.lr());
    }

    @Test
    void nesterovWithoutMomentumOrWithDampeningIsRefusedAtStepBeforeAnyChange() {
        Sequential a = net(DataType.DOUBLE);
        lossOf(a).backward();
        List<double[]> before = weights(a);
        SGD noMomentum = new SGD(a.parameters(), 0.1).nesterov(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, noMomentum::step);
        assertTrue(e.getMessage().contains("Nesterov momentum requires a momentum > 0 and zero dampening"),
                e.getMessage());
        SGD damped = new SGD(a.parameters(), 0.1).nesterov(true).momentum(0.9).dampening(0.1);
        assertThrows(IllegalStateException.class, damped::step);
        assertSameWeights(before, weights(a));
        new SGD(a.parameters(), 0.1).nesterov(true).momentum(0.9).step(); // setters in any order
    }

    @Test
    void badStateDictsAreRefusedNamingTheKeyAndChangeNothing() {
        Sequential a = net(DataType.DOUBLE);
        Adam opt = new Adam(a.parameters(), 0.01);
        trainStep(a, opt, x, y);
        trainStep(a, opt, x, y);
        Map<String, Tensor> good = snapshot(opt.stateDict());
        Map<String, Tensor> before = snapshot(opt.stateDict());

        assertRefused(() -> opt.loadStateDict(null), "state dict is null");
        refuse(opt, good, m -> m.put("state.0.exp_avg", Tensor.zeros(3, 5).to(DataType.DOUBLE)),
                "\"state.0.exp_avg\"", "shape [3, 5]", "[5, 3]");
        refuse(opt, good, m -> m.put("state.1.exp_avg", Tensor.of(new long[] {1, 2, 3, 4, 5})),
                "\"state.1.exp_avg\"", "floating point");
        refuse(opt, good, m -> m.remove("state.2.exp_avg_sq"), "missing key \"state.2.exp_avg_sq\"");
        refuse(opt, good, m -> m.put("state.0.momentum_buffer", m.get("state.0.exp_avg")),
                "unexpected key \"state.0.momentum_buffer\"");
        refuse(opt, good, m -> m.put("state.9.exp_avg", m.get("state.0.exp_avg")), "unexpected key \"state.9.exp_avg\"");
        refuse(opt, good, m -> m.put("state.0.step", Tensor.of(new double[] {2.5})), "\"state.0.step\"", "2.5");
        refuse(opt, good, m -> m.put("param_groups.0.lr", Tensor.of(new double[] {-1})),
                "\"param_groups.0.lr\"", "lr=-1.0");
        refuse(opt, good, m -> m.put("param_groups.0.betas.0", Tensor.of(new double[] {1.5})),
                "\"param_groups.0.betas.0\"", "1.5");
        refuse(opt, good, m -> m.put("param_groups.0.eps", Tensor.of(new double[] {1e-8, 1e-8}, 2)),
                "\"param_groups.0.eps\"", "0-d");
        refuse(opt, good, m -> m.remove("param_groups.0.weight_decay"), "missing key \"param_groups.0.weight_decay\"");
        refuse(opt, good, m -> m.put("param_groups.0.momentum", Tensor.of(new double[] {0.9})),
                "unexpected key \"param_groups.0.momentum\"");
        refuse(opt, good, m -> m.put("param_groups.0.params", Tensor.arange(3)), "\"param_groups.0.params\"",
                "lists 3 parameters but this optimizer has 4");
        refuse(opt, good, m -> m.put("rubbish", Tensor.scalar(1)), "unexpected key \"rubbish\"");
        // AdamW's state dict is not Adam's: the weight decay would change meaning
        AdamW adamW = new AdamW(a.parameters(), 0.01);
        trainStep(a, adamW, x, y);
        trainStep(a, adamW, x, y);
        refuse(opt, snapshot(adamW.stateDict()), m -> { }, "\"param_groups.0.decoupled_weight_decay\"",
                "saved by AdamW", "load it into AdamW");
        // an SGD state dict is not an Adam one
        refuse(opt, snapshot(new SGD(a.parameters(), 0.1).stateDict()), m -> { },
                "missing key \"param_groups.0.eps\"", "unexpected key \"param_groups.0.momentum\"");
        // several problems are reported together
        refuse(opt, good, m -> {
            m.remove("state.0.exp_avg");
            m.put("param_groups.0.lr", Tensor.of(new double[] {1, 2}, 2));
        }, "missing key \"state.0.exp_avg\"", "\"param_groups.0.lr\"");
        assertSameStateDict(before, opt.stateDict());

        SGD sgd = new SGD(a.parameters(), 0.1).momentum(0.9);
        trainStep(a, sgd, x, y);
        Map<String, Tensor> sgdGood = snapshot(sgd.stateDict());
        Map<String, Tensor> sgdBefore = snapshot(sgd.stateDict());
        refuse(sgd, sgdGood, m -> {
            m.put("param_groups.0.nesterov", Tensor.of(new double[] {1}));
            m.put("param_groups.0.momentum", Tensor.of(new double[] {0}));
        }, "Nesterov momentum requires");
        refuse(sgd, sgdGood, m -> m.put("param_groups.0.nesterov", Tensor.of(new double[] {0.5})),
                "\"param_groups.0.nesterov\"", "0.5");
        refuse(sgd, sgdGood, m -> m.put("param_groups.0.momentum", Tensor.of(new double[] {-1})),
                "\"param_groups.0.momentum\"");
        assertSameStateDict(sgdBefore, sgd.stateDict());
        assertEquals(0.9, sgd.momentum());
        assertFalse(sgd.nesterov());

        // a state dict for a different parameter list
        SGD smaller = new SGD(new Linear(3, 5).parameters(), 0.1).momentum(0.9);
        assertRefused(() -> smaller.loadStateDict(sgdGood), "\"param_groups.0.params\"",
                "lists 4 parameters but this optimizer has 2", "\"state.2.momentum_buffer\"");
    }

    private static void refuse(Optimizer opt, Map<String, Tensor> good,
                               Consumer<Map<String, Tensor>> spoil, String... fragments) {
        Map<String, Tensor> bad = new LinkedHashMap<>(good);
        spoil.accept(bad);
        assertRefused(() -> opt.loadStateDict(bad), fragments);
    }

    @Test
    void loadedStateIsACopyInTheParameterDtype() {
        Sequential a = net(DataType.DOUBLE);
        SGD opt = new SGD(a.parameters(), 0.05).momentum(0.9);
        trainStep(a, opt, x, y);
        Map<String, Tensor> sd = opt.stateDict();
        Map<String, Tensor> asFloat = new LinkedHashMap<>(sd);
        asFloat.put("state.0.momentum_buffer", sd.get("state.0.momentum_buffer").to(DataType.FLOAT));
        SGD other = new SGD(a.parameters(), 0.05);
        other.loadStateDict(asFloat);
        Tensor loaded = other.stateDict().get("state.0.momentum_buffer");
        assertEquals(DataType.DOUBLE, loaded.dtype());
        try (NoGrad scope = NoGrad.enter()) {
            asFloat.get("state.0.momentum_buffer").fill(7);
        }
        assertFalse(loaded.array().getDouble(0) == 7.0, "the optimizer does not share the caller's tensors");
    }
}

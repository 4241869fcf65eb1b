package dev.nn4j.optim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Functional;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Parameter;
import dev.nn4j.nn.Sequential;
import dev.nn4j.nn.Tanh;
import dev.nn4j.testing.Fixtures;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trajectories of {@code optim_float64.json}: the tiny regression MLP trained for 5 steps by each optimizer,
 * every loss and the final weights compared with PyTorch's.
 */
class OptimParityTest {
    static final double RTOL = 1e-9;

    /** The optimizers of gen.py's section 10, by fixture name, with its hyper-parameters. */
    static final Map<String, Function<List<Parameter>, Optimizer>> MAKERS = Map.of(
            "sgd", p -> new SGD(p, 0.1),
            "sgd_momentum_wd", p -> new SGD(p, 0.05).momentum(0.9).weightDecay(0.01),
            "sgd_nesterov", p -> new SGD(p, 0.05).momentum(0.9).nesterov(true),
            "adam", p -> new Adam(p, 0.01),
            "adamw", p -> new AdamW(p, 0.01).weightDecay(0.1));

    static JsonNode fixture(String name) {
        return Fixtures.load("optim_float64.json").get("optimizers").get(name);
    }

    static Map<String, Tensor> tensors(JsonNode node) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            out.put(k, Fixtures.tensor(node.get(k)));
        }
        return out;
    }

    /** gen.py's model with the fixture's initial weights, in {@code type}. */
    static Sequential model(JsonNode f, DataType type) {
        Sequential net = new Sequential(new Linear(3, 5), new Tanh(), new Linear(5, 2));
        net.to(type);
        net.loadStateDict(tensors(f.get("initial")));
        return net;
    }

    /** One step of gen.py's loop; returns the loss before the step, as gen.py records it. */
    static double trainStep(Sequential net, Optimizer opt, Tensor x, Tensor y) {
        opt.zeroGrad();
        Tensor loss = Functional.mseLoss(net.call(x), y);
        loss.backward();
        opt.step();
        return loss.item();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sgd", "sgd_momentum_wd", "sgd_nesterov", "adam", "adamw"})
    void float64TrajectoryMatchesPyTorch(String name, TestReporter report) {
        JsonNode f = fixture(name);
        Sequential net = model(f, DataType.DOUBLE);
        Optimizer opt = MAKERS.get(name).apply(net.parameters());
        Tensor x = Fixtures.tensor(f.get("X"));
        Tensor y = Fixtures.tensor(f.get("Y"));
        double worst = 0;
        for (int k = 0; k < 5; k++) {
            double expected = f.get("losses").get(k).asDouble();
            double loss = trainStep(net, opt, x, y);
            assertEquals(expected, loss, RTOL * Math.abs(expected), name + " loss at step " + k);
            worst = Math.max(worst, Math.abs(loss - expected) / Math.abs(expected));
        }
        Map<String, Tensor> expected = tensors(f.get("final"));
        Map<String, Tensor> actual = net.stateDict();
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            assertEquals(DataType.DOUBLE, actual.get(k).dtype());
            Fixtures.assertClose(expected.get(k), actual.get(k), RTOL, name + " final " + k);
            worst = Math.max(worst, maxRelativeError(expected.get(k), actual.get(k)));
        }
        report.publishEntry("max relative error vs PyTorch", String.valueOf(worst));
    }

    /** float32 runs the same algorithm in float arithmetic: close to the float64 reference, not equal. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sgd", "sgd_momentum_wd", "sgd_nesterov", "adam", "adamw"})
    void float32TrajectoryStaysCloseToPyTorchFloat64(String name) {
        JsonNode f = fixture(name);
        Sequential net = model(f, DataType.FLOAT);
        Optimizer opt = MAKERS.get(name).apply(net.parameters());
        Tensor x = Fixtures.tensor(f.get("X")).to(DataType.FLOAT);
        Tensor y = Fixtures.tensor(f.get("Y")).to(DataType.FLOAT);
        for (int k = 0; k < 5; k++) {
            double expected = f.get("losses").get(k).asDouble();
            assertEquals(expected, trainStep(net, opt, x, y), 1e-5 * Math.abs(expected), name + " loss " + k);
        }
        Map<String, Tensor> expected = tensors(f.get("final"));
        net.stateDict().forEach((k, t) -> {
            assertEquals(DataType.FLOAT, t.dtype());
            Fixtures.assertClose(expected.get(k), t, 1e-4, name + " final " + k);
        });
    }

    /** max |a - e| / |e| over the elements, with |e| floored at 1e-3 of the largest so tiny entries don't dominate. */
    static double maxRelativeError(Tensor expected, Tensor actual) {
        double[] e = expected.array().castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
        double[] a = actual.array().castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
        double scale = 0;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - e[i]) / Math.max(Math.abs(e[i]), 1e-3 * scale));
        }
        assertTrue(worst >= 0);
        return worst;
    }
}

package dev.nn4j.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.device.Device;
import dev.nn4j.testing.Fixtures;
import dev.nn4j.testing.SimulatedDevices;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every op of {@code ops_float64.json}: PyTorch's output and input gradients to 1e-10, and a finite-difference
 * gradcheck. Ops that belong to {@code dev.nn4j.nn} are in {@code nn.FunctionalParityTest}.
 */
class OpsParityTest {
    /** The table of core ops, keyed by fixture name: the role PyTorch's derivatives.yaml plays. */
    static final Map<String, Function<Tensor[], Tensor>> OPS = new TreeMap<>();

    static {
        OPS.put("add_broadcast_row", x -> x[0].add(x[1]));
        OPS.put("add_broadcast_col", x -> x[0].add(x[1]));
        OPS.put("sub", x -> x[0].sub(x[1]));
        OPS.put("mul_broadcast", x -> x[0].mul(x[1]));
        OPS.put("div", x -> x[0].div(x[1]));
        OPS.put("matmul", x -> x[0].matmul(x[1]));
        OPS.put("matmul_batched", x -> x[0].matmul(x[1]));
        OPS.put("relu", x -> x[0].relu());
        OPS.put("sigmoid", x -> x[0].sigmoid());
        OPS.put("tanh", x -> x[0].tanh());
        OPS.put("exp", x -> x[0].exp());
        OPS.put("log", x -> x[0].log());
        OPS.put("pow3", x -> x[0].pow(3));
        OPS.put("sqrt", x -> x[0].sqrt());
        OPS.put("abs", x -> x[0].abs());
        OPS.put("neg", x -> x[0].neg());
        OPS.put("sum_all", x -> x[0].sum());
        OPS.put("mean_all", x -> x[0].mean());
        OPS.put("sum_dim1_keepdim", x -> x[0].sum(1, true));
        OPS.put("mean_dim0", x -> x[0].mean(0, false));
        OPS.put("max_dim1", x -> x[0].max(1));
        OPS.put("transpose", x -> x[0].t());
        OPS.put("reshape", x -> x[0].reshape(2, -1));
        OPS.put("cat_dim1", x -> Tensor.cat(1, x[0], x[1]));
        OPS.put("softmax_dim1", x -> x[0].softmax(1));
        OPS.put("log_softmax_dim1", x -> x[0].logSoftmax(1));
    }

    static Stream<Arguments> cases() {
        return OPS.keySet().stream().map(Arguments::of);
    }

    static Stream<Arguments> casesOnDevices() {
        return SimulatedDevices.parityDevices().stream()
                .flatMap(d -> OPS.keySet().stream().map(op -> Arguments.of(op, d)));
    }

    static Tensor[] inputs(JsonNode c, Device device) {
        List<Tensor> xs = new ArrayList<>();
        for (JsonNode in : c.get("inputs")) {
            xs.add(Fixtures.tensor(in).to(device).requiresGrad(true));
        }
        return xs.toArray(new Tensor[0]);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("casesOnDevices")
    void matchesPyTorch(String name, Device device) {
        try (SimulatedDevices.Scope scope = SimulatedDevices.use(device)) {
            JsonNode c = Fixtures.load("ops_float64.json").get("ops").get(name);
            Tensor[] xs = inputs(c, device);
            Tensor y = OPS.get(name).apply(xs);
            assertEquals(DataType.DOUBLE, y.dtype());
            assertEquals(device, y.device());
            Fixtures.assertClose(c.get("output"), y, 1e-10, name + " output");
            y.backward(Fixtures.tensor(c.get("upstream")).to(device));
            for (int i = 0; i < xs.length; i++) {
                Fixtures.assertClose(c.get("grads").get(i), xs[i].grad(), 1e-10, name + " grad " + i);
                assertEquals(device, xs[i].grad().device());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradcheck(String name) {
        JsonNode c = Fixtures.load("ops_float64.json").get("ops").get(name);
        Tensor[] xs = inputs(c, Device.CPU);
        if (name.equals("max_dim1") || name.equals("relu") || name.equals("abs")) {
            // keep away from kinks and ties, where a finite difference straddles two branches
            for (Tensor x : xs) {
                try (NoGrad g = NoGrad.enter()) {
                    x.data().addi(x.data().gt(0).to(DataType.DOUBLE).mul(0.1).sub(0.05));
                }
            }
        }
        assertTrue(Autograd.gradcheck(OPS.get(name), xs));
    }

    @Test
    void everyCoreOpOfTheFixtureIsCovered() {
        List<String> nnOps = List.of("linear", "mse_loss", "dropout_eval", "cross_entropy_mean");
        Fixtures.load("ops_float64.json").get("ops").fieldNames().forEachRemaining(n -> {
            if (!nnOps.contains(n)) {
                assertTrue(OPS.containsKey(n), "no test for op " + n);
            }
        });
    }
}

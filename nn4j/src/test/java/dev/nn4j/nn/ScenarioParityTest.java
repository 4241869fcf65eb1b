package dev.nn4j.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.Tensor;
import dev.nn4j.examples.CenteredLayer;
import dev.nn4j.examples.FixedHiddenMLP;
import dev.nn4j.examples.MLP;
import dev.nn4j.examples.MyLinear;
import dev.nn4j.examples.NestMLP;
import dev.nn4j.testing.Fixtures;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.nn4j.device.Device;
import dev.nn4j.testing.SimulatedDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The seed scenarios of the fixtures' table: each model built in Java, loaded with PyTorch's parameters, run on
 * PyTorch's input; outputs, every gradient, names, shapes, state-dict keys and the printed tree must match.
 */
class ScenarioParityTest {
    private static final double RTOL = 1e-5;

    static List<Device> devices() {
        return SimulatedDevices.parityDevices();
    }

    /** Runs the fixture's protocol on {@code net} on {@code device} and checks everything it records. */
    static JsonNode check(String fixture, Module net, Device device) {
        try (SimulatedDevices.Scope scope = SimulatedDevices.use(device)) {
            net.to(device);
            return check(fixture, net);
        }
    }

    /** Runs the fixture's protocol on {@code net} and checks everything it records. */
    static JsonNode check(String fixture, Module net) {
        JsonNode f = Fixtures.load(fixture);
        JsonNode tensors = f.get("tensors");
        assertEquals(f.get("repr").asText(), net.toString(), "printed tree");
        assertEquals(Fixtures.namedShapes(f.get("named_parameters")), namedShapes(net.namedParameters()),
                "named parameters");
        assertEquals(Fixtures.strings(f.get("state_dict_keys")), new ArrayList<>(net.stateDict().keySet()),
                "state dict keys");

        Map<String, Tensor> sd = new LinkedHashMap<>();
        for (Iterator<String> it = tensors.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.startsWith("param.")) {
                sd.put(k.substring("param.".length()), Fixtures.tensor(tensors.get(k)));
            }
        }
        net.loadStateDict(sd);

        Device device = net.parameters().isEmpty() ? Device.CPU : net.parameters().get(0).device();
        Tensor x = Fixtures.tensor(tensors.get("X")).to(device).requiresGrad(true);
        Tensor y = net.call(x);
        assertEquals(device, y.device());
        Fixtures.assertClose(tensors.get("Y"), y, RTOL, fixture + " output");
        y.mul(Fixtures.tensor(tensors.get("G")).to(device)).sum().backward();
        for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) {
            JsonNode expected = tensors.get("grad." + e.getKey());
            if (expected == null) {
                assertNull(e.getValue().grad(), e.getKey() + " must get no gradient");
            } else {
                Fixtures.assertClose(expected, e.getValue().grad(), RTOL, fixture + " grad." + e.getKey());
            }
        }
        Fixtures.assertClose(tensors.get("grad.X"), x.grad(), RTOL, fixture + " grad.X");
        return f;
    }

    static List<String> namedShapes(Map<String, Parameter> params) {
        List<String> out = new ArrayList<>();
        params.forEach((k, p) -> out.add(k + " " + java.util.Arrays.toString(p.shape())));
        return out;
    }

    static Tensor fixtureTensor(String fixture, String name) {
        return Fixtures.tensor(Fixtures.load(fixture).get("tensors").get(name));
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("devices")
    void sequentialMlp(Device device) {
        check("seq_mlp.json", new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10)), device);
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("devices")
    void customMlpModule(Device device) {
        check("class_mlp.json", new MLP(), device);
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("devices")
    void fixedHiddenMlpWithConstantWeightReuseAndControlFlow(Device device) {
        FixedHiddenMLP net = new FixedHiddenMLP(fixtureTensor("fixed_hidden_mlp.json", "rand_weight"));
        check("fixed_hidden_mlp.json", net, device);
        assertEquals(List.of("linear.weight", "linear.bias"), new ArrayList<>(net.stateDict().keySet()),
                "the constant weight is not in the state dict");
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("devices")
    void chimera(Device device) {
        Module chimera = new Sequential(new NestMLP(), new Linear(16, 20),
                new FixedHiddenMLP(fixtureTensor("chimera.json", "rand_weight")));
        check("chimera.json", chimera, device);
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("devices")
    void tiedParametersAreListedOnceAndGetSummedGradients(Device device) {
        Linear shared = new Linear(8, 8);
        Sequential net = new Sequential(new Linear(4, 8), new ReLU(), shared, new ReLU(), shared, new ReLU(),
                new Linear(8, 1));
        check("tied.json", net, device);
        Linear at2 = net.get(2);
        Linear at4 = net.get(4);
        assertSame(at2.weight(), at4.weight());
        try (var scope = dev.nn4j.core.NoGrad.enter()) {
            at2.weight().data().put(new long[] {0, 0}, 100);
        }
        assertEquals(100, at4.weight().array().getDouble(0, 0));
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("devices")
    void nestedBlocksWithSpacesInNames(Device device) {
        Sequential rgnet = new Sequential(dev.nn4j.examples.Parameters.block2(), new Linear(4, 1));
        JsonNode f = check("rgnet.json", rgnet, device);
        Sequential outer = rgnet.get(0);
        Sequential blk1 = outer.get(1);
        Linear first = blk1.get(0);
        Fixtures.assertClose(f.get("indexed").get("rgnet[0][1][0].bias"), first.bias(), 0, "rgnet[0][1][0].bias");
        Sequential blk2 = outer.get(2);
        Linear third = blk2.get(2);
        Fixtures.assertClose(f.get("indexed").get("rgnet[0][2][2].weight"), third.weight(), 0, "rgnet[0][2][2].weight");
        assertSame(first, rgnet.getSubmodule("0.block 1.0"));
        assertSame(first.bias(), rgnet.getParameter("0.block 1.0.bias"));
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("devices")
    void centeredLayerAloneAndInsideSequential(Device device) {
        check("centered.json", new Sequential(new Linear(8, 128), new CenteredLayer()), device);
        Tensor out = new CenteredLayer().call(Tensor.of(new float[] {1, 2, 3, 4, 5}));
        Fixtures.assertClose(fixtureTensor("centered.json", "centered_1_5"), out, RTOL, "centered_1_5");
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("devices")
    void myLinearReadsDataSoNoParameterGetsAGradient(Device device) {
        Sequential net = new Sequential(new MyLinear(64, 8), new MyLinear(8, 1));
        check("mylinear.json", net, device);
        for (Parameter p : net.parameters()) {
            assertNull(p.grad());
        }
    }

    @Test
    void lazyLinearPrintsBeforeAndAfterTheFirstCall() {
        JsonNode f = Fixtures.load("lazy.json");
        Sequential net = new Sequential(new LazyLinear(256), new ReLU(), new Linear(256, 10));
        assertEquals(f.get("repr_before").asText(), net.toString());
        Tensor y = net.call(Tensor.rand(2, 20));
        assertEquals(f.get("repr_after").asText(), net.toString());
        assertEquals(Fixtures.namedShapes(f.get("named_parameters_after")), namedShapes(net.namedParameters()));
        assertNotNull(y);
        assertEquals(2, y.size(0));
        assertEquals(10, y.size(1));
    }
}

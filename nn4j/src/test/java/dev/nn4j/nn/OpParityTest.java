package dev.nn4j.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.Autograd;
import dev.nn4j.core.NoGrad;
import dev.nn4j.core.Node;
import dev.nn4j.core.Tensor;
import dev.nn4j.device.Device;
import dev.nn4j.testing.Fixtures;
import dev.nn4j.testing.SimulatedDevices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every row of the op table ({@link Functional#OPS}) against its PyTorch fixture case: the output and every input
 * gradient to 1e-10 in float64, on each device, and a finite-difference gradcheck; and the coverage check that
 * ties the table, the fixtures and the op classes together. The fixtures are every {@code *ops_float64.json} under
 * {@code src/test/resources/fixtures}, found by name, so a new fixture file needs no change here.
 */
class OpParityTest {
    private static final double RTOL = 1e-10;
    /** Case name to its fixture node, over every op fixture file. */
    private static final Map<String, JsonNode> CASES = loadCases();

    private static Map<String, JsonNode> loadCases() {
        Map<String, JsonNode> cases = new LinkedHashMap<>();
        for (String file : opFixtureFiles()) {
            Iterator<Map.Entry<String, JsonNode>> it = Fixtures.load(file).get("ops").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (cases.put(e.getKey(), e.getValue()) != null) {
                    throw new IllegalStateException("case " + e.getKey() + " is in two op fixtures");
                }
            }
        }
        return cases;
    }

    /** The op fixture files, relative to the fixtures folder. */
    static List<String> opFixtureFiles() {
        try {
            Path root = Path.of(OpParityTest.class.getResource("/fixtures").toURI());
            try (Stream<Path> files = Files.walk(root)) {
                return files.filter(p -> p.getFileName().toString().endsWith("ops_float64.json"))
                        .map(p -> root.relativize(p).toString().replace('\\', '/')).sorted()
                        .collect(Collectors.toList());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static OpCase row(String name) {
        return Functional.OPS.stream().filter(c -> c.fixture().equals(name)).findFirst().orElseThrow();
    }

    static Stream<Arguments> rows() {
        return Functional.OPS.stream().map(c -> Arguments.of(c.fixture()));
    }

    static Stream<Arguments> rowsOnDevices() {
        return SimulatedDevices.parityDevices().stream()
                .flatMap(d -> Functional.OPS.stream().map(c -> Arguments.of(c.fixture(), d)));
    }

    private static Tensor[] inputs(JsonNode c, Device device) {
        List<Tensor> xs = new ArrayList<>();
        for (JsonNode in : c.get("inputs")) {
            xs.add(Fixtures.tensor(in).to(device).requiresGrad(true));
        }
        return xs.toArray(new Tensor[0]);
    }

    /** The case's other arguments: its {@code args} object, and tensors it names beside its inputs. */
    private static OpCase.Args args(JsonNode c, Device device) {
        Map<String, Object> values = new LinkedHashMap<>();
        JsonNode args = c.get("args");
        if (args != null) {
            args.fields().forEachRemaining(e -> values.put(e.getKey(), value(e.getValue(), device)));
        }
        for (String tensorArg : List.of("target", "indices")) {
            if (c.has(tensorArg)) {
                values.put(tensorArg, Fixtures.tensor(c.get(tensorArg)).to(device));
            }
        }
        JsonNode buffers = c.get("buffers"); // state the op updates in place, such as running statistics
        if (buffers != null) {
            buffers.fields().forEachRemaining(e -> values.put(e.getKey(), Fixtures.tensor(e.getValue()).to(device)));
        }
        return new OpCase.Args(values);
    }

    private static Object value(JsonNode v, Device device) {
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isNumber()) {
            return v.numberValue();
        }
        if (v.isArray()) {
            long[] out = new long[v.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = v.get(i).asLong();
            }
            return out;
        }
        if (v.isObject() && v.has("shape")) {
            return Fixtures.tensor(v).to(device);
        }
        return v.asText();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("rowsOnDevices")
    void matchesPyTorch(String name, Device device) {
        try (SimulatedDevices.Scope scope = SimulatedDevices.use(device)) {
            JsonNode c = CASES.get(name);
            Tensor[] xs = inputs(c, device);
            OpCase.Args a = args(c, device);
            Tensor y = row(name).call().apply(xs, a);
            assertEquals(DataType.DOUBLE, y.dtype());
            assertEquals(device, y.device());
            Fixtures.assertClose(c.get("output"), y, RTOL, name + " output");
            // the buffers the op updates in place, as PyTorch left them ("running_mean_after", ...)
            c.fieldNames().forEachRemaining(k -> {
                if (k.endsWith("_after")) {
                    String buffer = k.substring(0, k.length() - "_after".length());
                    Fixtures.assertClose(c.get(k), a.tensor(buffer), RTOL, name + " " + buffer + " after the call");
                }
            });
            // the fixtures backpropagate a random upstream gradient, or call backward() on a scalar loss
            if (c.has("upstream")) {
                y.backward(Fixtures.tensor(c.get("upstream")).to(device));
            } else {
                y.backward();
            }
            for (int i = 0; i < xs.length; i++) {
                JsonNode expected = c.get("grads").get(i);
                if (expected == null || expected.isNull()) {
                    continue;
                }
                Fixtures.assertClose(expected, xs[i].grad(), RTOL, name + " grad " + i);
                assertEquals(device, xs[i].grad().device());
            }
        }
    }

    /**
     * The same cases in float32 (the inputs rounded to float32), against PyTorch's float64 values: the float32
     * kernels (BLAS sgemm, the per-image convolution, the float loops) take other paths than the float64 ones.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void matchesPyTorchInFloat32(String name) {
        JsonNode c = CASES.get(name);
        Tensor[] xs = inputs(c, Device.CPU);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = xs[i].detach().to(DataType.FLOAT).requiresGrad(true);
        }
        OpCase.Args a = args(c, Device.CPU).inFloat32();
        Tensor y = row(name).call().apply(xs, a);
        assertEquals(DataType.FLOAT, y.dtype());
        Fixtures.assertClose(c.get("output"), y, 1e-4, name + " float32 output");
        if (c.has("upstream")) {
            y.backward(Fixtures.tensor(c.get("upstream")).to(DataType.FLOAT));
        } else {
            y.backward();
        }
        for (int i = 0; i < xs.length; i++) {
            JsonNode expected = c.get("grads").get(i);
            if (expected != null && !expected.isNull()) {
                Fixtures.assertClose(expected, xs[i].grad(), 1e-4, name + " float32 grad " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void gradcheck(String name) {
        JsonNode c = CASES.get(name);
        OpCase row = row(name);
        Tensor[] xs = inputs(c, Device.CPU);
        if (row.kinks()) {
            // keep away from kinks and ties, where a finite difference straddles two branches
            for (Tensor x : xs) {
                try (NoGrad g = NoGrad.enter()) {
                    x.data().addi(x.data().gt(0).to(DataType.DOUBLE).mul(0.1).sub(0.05));
                }
            }
        }
        OpCase.Args a = args(c, Device.CPU);
        assertTrue(Autograd.gradcheck(t -> row.call().apply(t, a), xs));
    }

    @Test
    void everyFixtureCaseHasARowAndEveryRowAFixture() {
        assertTrue(opFixtureFiles().contains("ops_float64.json"), "found " + opFixtureFiles());
        Set<String> rows = new TreeSet<>();
        for (OpCase c : Functional.OPS) {
            assertTrue(rows.add(c.fixture()), "two rows for " + c.fixture());
            assertTrue(CASES.containsKey(c.fixture()), "no fixture case for the row " + c.fixture());
        }
        for (String name : CASES.keySet()) {
            assertTrue(rows.contains(name), "no row of Functional.OPS for the fixture case " + name);
        }
    }

    @Test
    void everyOpClassHasARowOrAReason() {
        Set<Class<?>> named = new TreeSet<>((a, b) -> a.getName().compareTo(b.getName()));
        for (OpCase c : Functional.OPS) {
            if (c.op() != null) {
                named.add(c.op());
            }
        }
        for (Class<? extends Node> op : OpRulesTest.opClasses()) {
            if (!named.contains(op) && !Functional.NOT_IN_TABLE.containsKey(op)) {
                fail(op.getSimpleName() + " has no row in Functional.OPS (nor a reason in NOT_IN_TABLE)");
            }
        }
        for (Class<? extends Node> op : Functional.NOT_IN_TABLE.keySet()) {
            assertTrue(!named.contains(op), op.getSimpleName() + " has a row: drop it from NOT_IN_TABLE");
        }
    }
}

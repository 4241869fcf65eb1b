package dev.nn4j.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nn4j.core.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Reads the PyTorch fixtures ({@code src/test/resources/fixtures}) and compares tensors with them. */
public final class Fixtures {
    // Python's json writes NaN and Infinity literally
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private Fixtures() {
    }

    /** The parsed fixture file {@code name}. */
    public static JsonNode load(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("fixture not found: " + name);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fixture tensor {@code {"shape", "dtype", "data"}} as a Tensor of its own dtype. */
    public static Tensor tensor(JsonNode node) {
        long[] shape = shape(node.get("shape"));
        JsonNode data = node.get("data");
        String dtype = node.get("dtype").asText();
        int n = data.size();
        if (dtype.startsWith("int") || dtype.equals("bool")) {
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = data.get(i).asLong();
            }
            return n == 0 ? Tensor.of(org.nd4j.linalg.factory.Nd4j.create(DataType.LONG, shape)) : Tensor.of(v, shape);
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = data.get(i).asDouble();
        }
        if (n == 0) {
            return Tensor.of(org.nd4j.linalg.factory.Nd4j.create(DataType.FLOAT, shape));
        }
        Tensor t = Tensor.of(v, shape);
        return dtype.equals("float64") ? t : t.to(DataType.FLOAT);
    }

    /** A JSON array of integers as a shape. */
    public static long[] shape(JsonNode node) {
        long[] s = new long[node.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = node.get(i).asLong();
        }
        return s;
    }

    /** {@code [[name, shape], ...]} as "name [shape]" strings, for order-sensitive comparison. */
    public static List<String> namedShapes(JsonNode node) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : node) {
            out.add(e.get(0).asText() + " " + Arrays.toString(shape(e.get(1))));
        }
        return out;
    }

    /** JSON array of strings as a list. */
    public static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(e -> out.add(e.asText()));
        return out;
    }

    /** Asserts equal shapes and values within {@code rtol} relative (with a matching absolute floor). */
    public static void assertClose(JsonNode expected, Tensor actual, double rtol, String what) {
        assertClose(tensor(expected), actual, rtol, what);
    }

    /** Asserts equal shapes and values within {@code rtol} relative to the largest expected magnitude. */
    public static void assertClose(Tensor expected, Tensor actual, double rtol, String what) {
        if (actual == null) {
            fail(what + ": expected a tensor of shape " + Arrays.toString(expected.shape()) + " but got null");
        }
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        INDArray e = expected.array().castTo(DataType.DOUBLE);
        INDArray a = actual.array().castTo(DataType.DOUBLE);
        double[] ev = e.length() == 0 ? new double[0] : e.dup('c').reshape(-1).toDoubleVector();
        double[] av = a.length() == 0 ? new double[0] : a.dup('c').reshape(-1).toDoubleVector();
        assertEquals(ev.length, av.length, what + ": numel");
        double scale = 0;
        for (double v : ev) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < ev.length; i++) {
            double tol = rtol * Math.max(Math.abs(ev[i]), scale * 1e-2) + rtol * 1e-3;
            if (!(Math.abs(ev[i] - av[i]) <= tol)) {
                fail(what + ": element " + i + " expected " + ev[i] + " but got " + av[i] + " (tol " + tol + ")");
            }
        }
    }
}

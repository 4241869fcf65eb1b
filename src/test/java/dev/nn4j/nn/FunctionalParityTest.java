package dev.nn4j.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.Autograd;
import dev.nn4j.core.Tensor;
import dev.nn4j.testing.Fixtures;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code ops_float64.json} cases that belong to {@code Functional} (linear, mse_loss, dropout_eval,
 * cross_entropy_mean): PyTorch's output and input gradients to 1e-10, and a finite-difference gradcheck.
 */
class FunctionalParityTest {
    private static final double RTOL = 1e-10;

    private static final JsonNode FIXTURE = Fixtures.load("ops_float64.json").get("ops");
    private static final Tensor TARGET = Fixtures.tensor(FIXTURE.get("cross_entropy_mean").get("target"));

    /** The Functional ops of the fixture; cross entropy takes the fixture's class indices as a constant. */
    static final Map<String, Function<Tensor[], Tensor>> OPS = new TreeMap<>();

    static {
        OPS.put("linear", x -> Functional.linear(x[0], x[1], x[2]));
        OPS.put("mse_loss", x -> Functional.mseLoss(x[0], x[1]));
        OPS.put("dropout_eval", x -> Functional.dropout(x[0], 0.5, false));
        OPS.put("cross_entropy_mean", x -> Functional.crossEntropy(x[0], TARGET));
    }

    static JsonNode fixture(String name) {
        return FIXTURE.get(name);
    }

    static Stream<Arguments> cases() {
        return OPS.keySet().stream().map(Arguments::of);
    }

    static Tensor[] inputs(JsonNode c) {
        List<Tensor> xs = new ArrayList<>();
        for (JsonNode in : c.get("inputs")) {
            xs.add(Fixtures.tensor(in).requiresGrad(true));
        }
        return xs.toArray(new Tensor[0]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String name) {
        JsonNode c = fixture(name);
        Tensor[] xs = inputs(c);
        Tensor y = OPS.get(name).apply(xs);
        assertEquals(DataType.DOUBLE, y.dtype());
        Fixtures.assertClose(c.get("output"), y, RTOL, name + " output");
        // gen.py backpropagates a random upstream gradient, or calls backward() on the scalar cross entropy
        if (c.has("upstream")) {
            y.backward(Fixtures.tensor(c.get("upstream")));
        } else {
            y.backward();
        }
        for (int i = 0; i < xs.length; i++) {
            Fixtures.assertClose(c.get("grads").get(i), xs[i].grad(), RTOL, name + " grad " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradcheck(String name) {
        assertTrue(Autograd.gradcheck(OPS.get(name), inputs(fixture(name))));
    }

    @Test
    void everyFunctionalCaseOfTheFixtureIsCovered() {
        for (String n : List.of("linear", "mse_loss", "dropout_eval", "cross_entropy_mean")) {
            assertTrue(FIXTURE.has(n), "fixture lacks " + n);
            assertTrue(OPS.containsKey(n), "no test for " + n);
        }
    }

    @Test
    void crossEntropyLossRefusesATargetOutOfRangeNamingTheIndex() {
        Tensor logits = Fixtures.tensor(fixture("cross_entropy_mean").get("inputs").get(0));
        CrossEntropyLoss loss = new CrossEntropyLoss();
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class,
                () -> loss.call(logits, Tensor.of(new long[] {2, 4, 1}, 3)));
        assertTrue(high.getMessage().contains("target 4 at position 1 is out of bounds for 4 classes"),
                high.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> loss.call(logits, Tensor.of(new long[] {-1, 0, 1}, 3)));
        assertTrue(negative.getMessage().contains("target -1 at position 0"), negative.getMessage());
        assertTrue(negative.getMessage().contains("CrossEntropyLoss"), negative.getMessage());
        Fixtures.assertClose(fixture("cross_entropy_mean").get("output"), loss.call(logits, TARGET), RTOL,
                "CrossEntropyLoss module");
    }
}

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
 * What the op table's parity rows ({@link OpParityTest}) do not cover of {@code Functional}: the loss modules'
 * checks of their targets.
 */
class FunctionalParityTest {
    private static final double RTOL = 1e-10;

    private static final JsonNode FIXTURE = Fixtures.load("ops_float64.json").get("ops");
    private static final Tensor TARGET = Fixtures.tensor(FIXTURE.get("cross_entropy_mean").get("target"));

    static JsonNode fixture(String name) {
        return FIXTURE.get(name);
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

package dev.nn4j.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code Tensor.toString()} against the text PyTorch printed for the same tensors (fixtures/extra/repr.json). */
class TensorFormatTest {
    static Stream<String> cases() {
        List<String> names = new ArrayList<>();
        Fixtures.load("extra/repr.json").fieldNames().forEachRemaining(n -> {
            if (!n.equals("torch_version") && !n.equals("requires_grad")) {
                names.add(n);
            }
        });
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void printsLikePyTorch(String name) {
        JsonNode c = Fixtures.load("extra/repr.json").get(name);
        Tensor t = Fixtures.tensor(c.get("tensor"));
        if (c.get("tensor").get("dtype").asText().equals("bool")) {
            t = t.to(DataType.BOOL);
        }
        assertEquals(c.get("repr").asText(), t.toString());
    }

    @Test
    void leafThatRequiresGrad() {
        Tensor x = Tensor.of(new float[] {0.5f, -1f}, 1, 2).requiresGrad(true);
        assertEquals(Fixtures.load("extra/repr.json").get("requires_grad").get("repr").asText(), x.toString());
    }

    @Test
    void resultOfARecordedOpNamesItsGradFn() {
        Tensor x = Tensor.of(new float[] {1, 2}, 1, 2);
        Tensor w = Tensor.of(new float[] {0.0124f, 0.0704f}, 1, 2).requiresGrad(true);
        Tensor b = Tensor.zeros(1);
        Tensor y = dev.nn4j.core.ops.Addmm.apply(x, w, b);
        assertTrue(y.toString().endsWith(", grad_fn=<AddmmBackward>)"), y.toString());
        assertEquals("tensor([[0.1532]], grad_fn=<AddmmBackward>)", y.toString());
    }
}

package dev.nn4j.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.Tensor;
import dev.nn4j.examples.LeNet;
import dev.nn4j.io.Checkpoint;
import dev.nn4j.optim.SGD;
import dev.nn4j.testing.Fixtures;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The LeNet example's network against PyTorch ({@code fixtures/vision/lenet_digits.*}, float64): printed tree,
 * state-dict names, training-mode logits, loss and every gradient, the running statistics after the forward,
 * eval-mode logits, and the parameters after two SGD steps with momentum.
 */
class LeNetScenarioTest {
    private static final double RTOL = 1e-9;

    private static Map<String, Tensor> tensors() throws URISyntaxException {
        return Checkpoint.loadMap(Path.of(LeNetScenarioTest.class.getResource("/fixtures/vision/lenet_digits.safetensors")
                .toURI()));
    }

    /** Entries of {@code all} under {@code prefix}, the prefix dropped. */
    private static Map<String, Tensor> under(Map<String, Tensor> all, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    private static void assertAllClose(Map<String, Tensor> expected, Map<String, Tensor> actual, String what) {
        assertEquals(new java.util.TreeSet<>(expected.keySet()), new java.util.TreeSet<>(actual.keySet()), what);
        expected.forEach((k, v) -> Fixtures.assertClose(v, actual.get(k), RTOL, what + " " + k));
    }

    @Test
    void matchesPyTorchThroughTrainingEvalAndTwoSgdSteps() throws URISyntaxException {
        JsonNode facts = Fixtures.load("vision/lenet_digits.json");
        Map<String, Tensor> t = tensors();
        Sequential net = LeNet.model();
        assertEquals(facts.get("repr").asText(), net.toString());
        List<String> keys = new ArrayList<>();
        facts.get("state_dict_keys").forEach(k -> keys.add(k.asText()));
        assertEquals(keys, new ArrayList<>(net.stateDict().keySet()));

        net.to(DataType.DOUBLE);
        net.loadStateDict(under(t, "state."));
        Tensor x = t.get("x");
        Tensor target = t.get("target");
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        Tensor logits = net.call(x);
        Fixtures.assertClose(t.get("logits_train"), logits, RTOL, "train logits");
        Tensor loss = lossFn.call(logits, target);
        assertEquals(facts.get("loss").asDouble(), loss.item(), 1e-12);
        loss.backward();
        Map<String, Tensor> grads = new LinkedHashMap<>();
        net.namedParameters().forEach((k, p) -> grads.put(k, p.grad()));
        assertAllClose(under(t, "grad."), grads, "grad");
        Map<String, Tensor> buffers = new LinkedHashMap<>(net.namedBuffers());
        assertAllClose(under(t, "buffer_after."), buffers, "buffer");

        net.eval();
        try (dev.nn4j.core.NoGrad g = dev.nn4j.core.NoGrad.enter()) {
            Fixtures.assertClose(t.get("logits_eval"), net.call(x), RTOL, "eval logits");
        }

        // PyTorch's steps: step on the gradients above, then a second train-mode forward/backward and step
        net.train();
        SGD opt = new SGD(net.parameters(), 0.1).momentum(0.9);
        opt.step();
        opt.zeroGrad();
        Tensor second = lossFn.call(net.call(x), target);
        assertEquals(facts.get("loss_second_step").asDouble(), second.item(), 1e-10);
        second.backward();
        opt.step();
        Map<String, Tensor> params = new LinkedHashMap<>();
        net.namedParameters().forEach(params::put);
        assertAllClose(under(t, "after_two_sgd_steps."), params, "after two steps");
    }
}

package dev.nn4j.optim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Parameter;
import dev.nn4j.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Learning-rate schedulers and gradient clipping against PyTorch ({@code fixtures/seq/seq_utils.json}). */
class SchedulerAndClipTest {
    private static final JsonNode F = Fixtures.load("seq/seq_utils.json");

    private static void assertLrs(String name, Function<Optimizer, LRScheduler> make) {
        JsonNode expected = F.get("schedulers").get(name);
        Parameter p = new Parameter(Tensor.zeros(1));
        SGD opt = new SGD(List.of(p), 0.1);
        LRScheduler s = make.apply(opt);
        assertEquals(expected.get(0).asDouble(), opt.lr(), 1e-15, name + " at construction");
        for (int i = 1; i < expected.size(); i++) {
            s.step();
            assertEquals(expected.get(i).asDouble(), s.lastLr(), 1e-15, name + " after step " + i);
        }
        assertEquals(expected.size() - 1, s.lastEpoch());
    }

    @Test
    void aScheduleThatDecaysToZeroEndsAtZeroAndStackedSchedulersShareTheInitialRate() {
        Parameter p = new Parameter(Tensor.zeros(1));
        SGD opt = new SGD(List.of(p), 0.1);
        LinearLR decay = new LinearLR(opt, 1.0 / 3, 0.0, 5);
        for (int i = 0; i < 8; i++) {
            decay.step(); // a rounding error below zero would be refused by the optimizer
        }
        assertEquals(0.0, opt.lr(), 1e-17);
        SGD opt2 = new SGD(List.of(p), 0.1);
        new LinearLR(opt2, 0.5, 1.0, 4);
        StepLR step = new StepLR(opt2, 2, 0.5);
        assertEquals(0.1, step.baseLr, 0, "PyTorch's initial_lr: the rate before the first scheduler");
    }

    @Test
    void schedulersFollowPyTorchStepByStep() {
        assertLrs("step_lr_3_0.5", o -> new StepLR(o, 3, 0.5));
        assertLrs("cosine_5_0.01", o -> new CosineAnnealingLR(o, 5, 0.01));
        assertLrs("linear_0.25_1.0_4", o -> new LinearLR(o, 0.25, 1.0, 4));
        assertLrs("linear_default", LinearLR::new);
        Parameter p = new Parameter(Tensor.zeros(1));
        assertThrows(IllegalArgumentException.class, () -> new StepLR(new SGD(List.of(p), 0.1), 0));
        assertThrows(IllegalArgumentException.class, () -> new LinearLR(new SGD(List.of(p), 0.1), 0, 1, 3));
    }

    private static List<Parameter> params(JsonNode grads) {
        List<Parameter> ps = new ArrayList<>();
        for (JsonNode g : grads) {
            Tensor grad = Fixtures.tensor(g);
            Parameter p = new Parameter(Tensor.zeros(grad.shape()).to(grad.dtype()));
            p.setGrad(grad);
            ps.add(p);
        }
        return ps;
    }

    @Test
    void clipGradNormMatchesPyTorch() {
        F.get("clip").fields().forEachRemaining(e -> {
            JsonNode c = e.getValue();
            if (!c.has("max_norm")) {
                return;
            }
            List<Parameter> ps = params(c.get("grads_before"));
            List<Tensor> held = new ArrayList<>();
            ps.forEach(p -> held.add(p.grad()));
            double type = c.get("norm_type").isTextual() ? Double.POSITIVE_INFINITY : c.get("norm_type").asDouble();
            double total = GradClip.clipGradNorm(ps, c.get("max_norm").asDouble(), type);
            assertEquals(c.get("total_norm").asDouble(), total, 1e-12 * Math.max(1, total), e.getKey());
            for (int i = 0; i < ps.size(); i++) {
                assertSame(held.get(i), ps.get(i).grad(), "clipped in place");
                Fixtures.assertClose(c.get("grads_after").get(i), ps.get(i).grad(), 1e-12, e.getKey() + " grad " + i);
            }
        });
    }

    @Test
    void clipGradValueMatchesPyTorch() {
        JsonNode c = F.get("clip").get("value_0.3");
        List<Parameter> ps = params(c.get("grads_before"));
        GradClip.clipGradValue(ps, c.get("clip_value").asDouble());
        Fixtures.assertClose(c.get("grads_after").get(0), ps.get(0).grad(), 0, "clip_grad_value_");
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(ps, -1));
    }

    /**
     * float32 Adam and AdamW follow PyTorch's float32 steps to the last bit or one ulp (one rounding per tensor op,
     * as PyTorch's; PyTorch 1.13 differs by one ulp in one of these 192 values at step 3).
     */
    @Test
    void float32AdamMatchesPyTorchBitForBit() {
        F.get("adam_float32").fields().forEachRemaining(e -> {
            JsonNode c = e.getValue();
            Parameter p = new Parameter(Fixtures.tensor(c.get("start")));
            Optimizer opt = e.getKey().equals("adam") ? new Adam(List.of(p), 0.01)
                    : new AdamW(List.of(p), 0.01).weightDecay(0.1);
            for (int step = 0; step < 3; step++) {
                p.setGrad(Fixtures.tensor(c.get("grads").get(step)));
                opt.step();
                float[] expected = new float[64];
                JsonNode data = c.get("after").get(step).get("data");
                for (int i = 0; i < 64; i++) {
                    expected[i] = (float) data.get(i).asDouble();
                }
                float[] actual = new float[64];
                p.storage().readFloats().get(0, actual, 0, 64);
                for (int i = 0; i < 64; i++) {
                    assertEquals(expected[i], actual[i], Math.ulp(expected[i]),
                            e.getKey() + " after step " + (step + 1) + ", element " + i);
                }
            }
        });
    }
}

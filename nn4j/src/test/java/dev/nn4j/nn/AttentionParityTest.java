package dev.nn4j.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.Tensor;
import dev.nn4j.testing.Fixtures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attention against PyTorch in float64 ({@code fixtures/seq/attention_float64.json}): MultiheadAttention with and
 * without masks (output, head-averaged weights, every gradient), scaled dot-product attention, and
 * TransformerEncoderLayer post-norm/ReLU and pre-norm/GELU with masks.
 */
class AttentionParityTest {
    private static final double RTOL = 1e-10;
    private static final JsonNode F = Fixtures.load("seq/attention_float64.json");

    private static Tensor leaf(JsonNode c, String key) {
        return Fixtures.tensor(c.get(key)).requiresGrad(true);
    }

    private static Tensor constant(JsonNode c, String key) {
        return c.has(key) ? Fixtures.tensor(c.get(key)) : null;
    }

    private static void load(Module m, JsonNode c) {
        m.to(DataType.DOUBLE);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        c.get("state_dict").fields().forEachRemaining(e -> sd.put(e.getKey(), Fixtures.tensor(e.getValue())));
        m.loadStateDict(sd);
    }

    private static void assertGrads(Module m, JsonNode c, String name) {
        c.get("grads").fields().forEachRemaining(e -> Fixtures.assertClose(e.getValue(),
                m.getParameter(e.getKey()).grad(), RTOL, name + " grad " + e.getKey()));
    }

    @Test
    void multiheadAttentionMatchesPyTorch() {
        F.get("mha").fields().forEachRemaining(e -> {
            String name = e.getKey();
            JsonNode c = e.getValue();
            MultiheadAttention m = MultiheadAttention.builder(8, 2).batchFirst(c.get("batch_first").asBoolean()).build();
            assertEquals(c.get("repr").asText(), m.toString());
            assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"),
                    new ArrayList<>(m.stateDict().keySet()));
            load(m, c);
            Tensor q = leaf(c, "q");
            boolean self = c.get("self_attention").asBoolean(); // one tensor: the packed projection
            Tensor k = self ? q : leaf(c, "k");
            Tensor v = self ? q : leaf(c, "v");
            MultiheadAttention.Output o = m.callWithWeights(q, k, v, constant(c, "key_padding_mask"),
                    constant(c, "attn_mask"), true, c.get("average").asBoolean());
            Fixtures.assertClose(c.get("output"), o.output(), RTOL, name + " output");
            Fixtures.assertClose(c.get("weights"), o.weights(), RTOL, name + " weights");
            o.output().mul(Fixtures.tensor(c.get("upstream_output"))).sum()
                    .add(o.weights().mul(Fixtures.tensor(c.get("upstream_weights"))).sum()).backward();
            assertGrads(m, c, name);
            Fixtures.assertClose(c.get("grad_q"), q.grad(), RTOL, name + " grad q");
            Fixtures.assertClose(c.get("grad_k"), k.grad(), RTOL, name + " grad k");
            Fixtures.assertClose(c.get("grad_v"), v.grad(), RTOL, name + " grad v");
        });
    }

    @Test
    void withoutNeedWeightsNoWeightsAreMadeAndTheOutputIsTheSame() {
        MultiheadAttention m = MultiheadAttention.builder(8, 2).build();
        Tensor x = Tensor.randn(3, 2, 8);
        MultiheadAttention.Output with = m.callWithWeights(x, x, x, null, null);
        MultiheadAttention.Output without = m.callWithWeights(x, x, x, null, null, false, true);
        assertEquals(null, without.weights());
        org.junit.jupiter.api.Assertions.assertArrayEquals(with.output().storage().toDoubleArray(),
                without.output().storage().toDoubleArray(), 0);
    }

    @Test
    void scaledDotProductAttentionMatchesPyTorch() {
        F.get("sdpa").fields().forEachRemaining(e -> {
            JsonNode c = e.getValue();
            Tensor q = leaf(c, "q");
            Tensor k = leaf(c, "k");
            Tensor v = leaf(c, "v");
            Tensor y = Functional.scaledDotProductAttention(q, k, v, constant(c, "attn_mask"),
                    c.get("is_causal").asBoolean());
            Fixtures.assertClose(c.get("output"), y, RTOL, e.getKey() + " output");
            y.backward(Fixtures.tensor(c.get("upstream")));
            Fixtures.assertClose(c.get("grad_q"), q.grad(), RTOL, e.getKey() + " grad q");
            Fixtures.assertClose(c.get("grad_k"), k.grad(), RTOL, e.getKey() + " grad k");
            Fixtures.assertClose(c.get("grad_v"), v.grad(), RTOL, e.getKey() + " grad v");
        });
    }

    @Test
    void transformerEncoderLayerMatchesPyTorch() {
        assertEquals(F.get("encoder_default_repr").asText(), TransformerEncoderLayer.builder(8, 2).build().toString());
        F.get("encoder").fields().forEachRemaining(e -> {
            String name = e.getKey();
            JsonNode c = e.getValue();
            TransformerEncoderLayer layer = TransformerEncoderLayer.builder(8, 2).dimFeedforward(16).dropout(0)
                    .activation(c.get("activation").asText()).batchFirst(c.get("batch_first").asBoolean())
                    .normFirst(c.get("norm_first").asBoolean()).build();
            List<String> keys = new ArrayList<>();
            c.get("state_dict_keys").forEach(k -> keys.add(k.asText()));
            assertEquals(keys, new ArrayList<>(layer.stateDict().keySet()));
            load(layer, c);
            Tensor x = leaf(c, "x");
            Tensor y = layer.call(x, constant(c, "src_mask"), constant(c, "src_key_padding_mask"));
            Fixtures.assertClose(c.get("output"), y, RTOL, name + " output");
            y.backward(Fixtures.tensor(c.get("upstream")));
            assertGrads(layer, c, name);
            Fixtures.assertClose(c.get("grad_x"), x.grad(), RTOL, name + " grad x");
        });
    }

    @Test
    void transformerEncoderStacksMatchPyTorch() {
        F.get("stack").fields().forEachRemaining(e -> {
            String name = e.getKey();
            JsonNode c = e.getValue();
            TransformerEncoderLayer proto = TransformerEncoderLayer.builder(8, 2).dimFeedforward(16).dropout(0)
                    .batchFirst(true).normFirst(c.get("norm_first").asBoolean()).build();
            TransformerEncoder enc = new TransformerEncoder(proto, 2,
                    c.get("with_norm").asBoolean() ? new LayerNorm(8) : null);
            // PyTorch's copies start equal to the layer; so do these, and they are not the layer itself
            assertTrue(c.get("copies_equal").asBoolean());
            TransformerEncoderLayer first = enc.layers().get(0);
            assertTrue(first != proto);
            proto.stateDict().forEach((k, v) -> org.junit.jupiter.api.Assertions.assertArrayEquals(
                    v.storage().toDoubleArray(), first.stateDict().get(k).storage().toDoubleArray(), 0, k));
            List<String> keys = new ArrayList<>();
            c.get("state_dict_keys").forEach(k -> keys.add(k.asText()));
            assertEquals(keys, new ArrayList<>(enc.stateDict().keySet()));
            load(enc, c);
            Tensor x = leaf(c, "x");
            Tensor y = enc.call(x, constant(c, "src_mask"), constant(c, "src_key_padding_mask"));
            Fixtures.assertClose(c.get("output"), y, RTOL, name + " output");
            y.backward(Fixtures.tensor(c.get("upstream")));
            assertGrads(enc, c, name);
            Fixtures.assertClose(c.get("grad_x"), x.grad(), RTOL, name + " grad x");
        });
        // PyTorch 2's printed form (1.13, which made the fixtures, lists the copies one by one)
        TransformerEncoder two = new TransformerEncoder(TransformerEncoderLayer.builder(8, 2).build(), 2);
        assertTrue(two.toString().startsWith("TransformerEncoder(\n  (layers): ModuleList(\n    (0-1): 2 x "
                + "TransformerEncoderLayer(\n"), two.toString());
        assertThrows(IllegalArgumentException.class, () -> new TransformerEncoder(
                TransformerEncoderLayer.builder(8, 2).build(), 0));
        ModuleInputException width = assertThrows(ModuleInputException.class,
                () -> two.call(Tensor.randn(5, 2, 6), null, null));
        assertTrue(width.getMessage().contains("at \"layers.0.self_attn\"") && width.getMessage().contains("[5, 2, 6]"),
                width.getMessage());
    }

    @Test
    void stackedCopiesKeepTheLayersDtypeFrozenParametersAndModes() {
        TransformerEncoderLayer proto = TransformerEncoderLayer.builder(8, 2).dimFeedforward(16).build();
        proto.to(DataType.DOUBLE);
        proto.getParameter("linear1.weight").requiresGrad(false);
        proto.eval();
        proto.getSubmodule("dropout").train(true);
        TransformerEncoder enc = new TransformerEncoder(proto, 2);
        TransformerEncoderLayer copy = enc.layers().get(1);
        proto.stateDict().forEach((k, v) -> {
            assertEquals(DataType.DOUBLE, copy.stateDict().get(k).dtype(), k);
            org.junit.jupiter.api.Assertions.assertArrayEquals(v.storage().toDoubleArray(),
                    copy.stateDict().get(k).storage().toDoubleArray(), 0, k); // every float64 bit
        });
        assertTrue(!copy.getParameter("linear1.weight").requiresGrad());
        assertTrue(copy.getParameter("linear2.weight").requiresGrad());
        assertTrue(!copy.isTraining() && copy.getSubmodule("dropout").isTraining()
                && !copy.getSubmodule("dropout1").isTraining());
    }

    @Test
    void theSquareSubsequentMaskForbidsLaterPositions() {
        double inf = Double.NEGATIVE_INFINITY;
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0, inf, inf, 0, 0, inf, 0, 0, 0},
                TransformerEncoderLayer.squareSubsequentMask(3).storage().toDoubleArray(), 0);
        assertEquals(DataType.FLOAT, TransformerEncoderLayer.squareSubsequentMask(2).dtype());
    }

    @Test
    void badInputIsRefusedNamingThePathAndShapes() {
        IllegalArgumentException heads = assertThrows(IllegalArgumentException.class,
                () -> new MultiheadAttention(10, 3));
        assertTrue(heads.getMessage().contains("embed_dim must be divisible by num_heads"), heads.getMessage());
        Sequential net = new Sequential(TransformerEncoderLayer.builder(8, 2).dimFeedforward(16).build());
        TransformerEncoderLayer layer = net.get(0);
        Tensor x = Tensor.randn(5, 2, 8);
        ModuleInputException mask = assertThrows(ModuleInputException.class,
                () -> layer.call(x, Tensor.zeros(4, 4), null));
        assertTrue(mask.getMessage().contains("attn_mask is [4, 4], but should be [5, 5]"), mask.getMessage());
        ModuleInputException width = assertThrows(ModuleInputException.class, () -> net.call(Tensor.randn(5, 2, 6)));
        assertTrue(width.getMessage().contains("at \"0.self_attn\"") && width.getMessage().contains("[5, 2, 6]"),
                width.getMessage());
        ModuleInputException pad = assertThrows(ModuleInputException.class,
                () -> layer.call(x, null, Tensor.zeros(3, 5)));
        assertTrue(pad.getMessage().contains("key_padding_mask of shape [2, 5], got [3, 5]"), pad.getMessage());
    }
}

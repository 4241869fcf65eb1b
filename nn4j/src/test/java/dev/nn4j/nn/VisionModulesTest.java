package dev.nn4j.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vision modules against {@code fixtures/vision/vision_modules.json}: PyTorch's printed form, state-dict keys,
 * shapes and dtypes in order, and the default initialization (the bounds of the uniform draws, the constants).
 */
class VisionModulesTest {
    private static final JsonNode MODULES = Fixtures.load("vision/vision_modules.json").get("modules");

    /** Each fixture module, built as a Java user would write it. */
    static final Map<String, Supplier<Module>> BUILD = Map.ofEntries(
            Map.entry("conv1d_3_4_3", () -> new Conv1d(3, 4, 3)),
            Map.entry("conv1d_3_4_3_s2_p1_nobias", () -> Conv1d.builder(3, 4, 3).stride(2).padding(1).bias(false)
                    .build()),
            Map.entry("conv2d_3_16_5", () -> new Conv2d(3, 16, 5)),
            Map.entry("conv2d_3_16_3_s2_p1", () -> new Conv2d(3, 16, 3, 2, 1)),
            Map.entry("conv2d_4_8_3_p1_d2_g2_nobias", () -> Conv2d.builder(4, 8, 3).padding(1).dilation(2).groups(2)
                    .bias(false).build()),
            Map.entry("maxpool2d_2", () -> new MaxPool2d(2)),
            Map.entry("maxpool2d_3_2_1", () -> new MaxPool2d(3, 2, 1)),
            Map.entry("avgpool2d_2", () -> new AvgPool2d(2)),
            Map.entry("avgpool2d_3_2_1", () -> new AvgPool2d(3, 2, 1)),
            Map.entry("maxpool2d_3_2_0_ceil", () -> new MaxPool2d(3, 2, 0, true)),
            Map.entry("upsample_2", () -> new Upsample(2)),
            Map.entry("upsample_3_bilinear_align", () -> new Upsample(3, "bilinear", true)),
            Map.entry("zeropad2d_2", () -> new ZeroPad2d(2)),
            Map.entry("elu", () -> new ELU()),
            Map.entry("elu_0_5", () -> new ELU(0.5)),
            Map.entry("softplus", () -> new Softplus()),
            Map.entry("reflectionpad2d_1_2_0_1", () -> new ReflectionPad2d(1, 2, 0, 1)),
            Map.entry("replicationpad2d_3", () -> new ReplicationPad2d(3)),
            Map.entry("constantpad2d_1_0_2_1_3_5", () -> new ConstantPad2d(1, 0, 2, 1, 3.5)),
            Map.entry("conv2d_3_4_2x3_same", () -> Conv2d.builder(3, 4, 2, 3).padding("same").build()),
            Map.entry("conv1d_3_4_3_valid", () -> Conv1d.builder(3, 4, 3).padding("valid").build()),
            Map.entry("conv2d_3_4_3_p1_reflect", () -> Conv2d.builder(3, 4, 3).padding(1).paddingMode("reflect")
                    .build()),
            Map.entry("convtranspose2d_8_4_3_s2_p1_op1", () -> new ConvTranspose2d(8, 4, 3, 2, 1, 1)),
            Map.entry("convtranspose2d_4_6_2x3_g2_nobias", () -> ConvTranspose2d.builder(4, 6, 2, 3).groups(2)
                    .bias(false).dilation(1, 2).build()),
            Map.entry("conv2d_3_8_1x3_s2x1_p0x1", () -> Conv2d.builder(3, 8, 1, 3).stride(2, 1).padding(0, 1).build()),
            Map.entry("avgpool2d_3_2_1_ceil_exclude_pad", () -> new AvgPool2d(3, 2, 1, true, false)),
            Map.entry("adaptiveavgpool2d_1_1", () -> new AdaptiveAvgPool2d(1, 1)),
            Map.entry("adaptiveavgpool2d_3_4", () -> new AdaptiveAvgPool2d(3, 4)),
            Map.entry("batchnorm1d_10", () -> new BatchNorm1d(10)),
            Map.entry("batchnorm2d_16", () -> new BatchNorm2d(16)),
            Map.entry("layernorm_8", () -> new LayerNorm(8)),
            Map.entry("layernorm_3_4", () -> new LayerNorm(3, 4)),
            Map.entry("groupnorm_2_8", () -> new GroupNorm(2, 8)),
            Map.entry("gelu", GELU::new),
            Map.entry("silu", SiLU::new),
            Map.entry("leakyrelu_0_2", () -> new LeakyReLU(0.2)),
            Map.entry("leakyrelu", LeakyReLU::new),
            Map.entry("lenet_bn", VisionModulesTest::lenetBn));

    /** d2l's LeNet with batch normalization, as the fixture's {@code lenet_bn()} builds it. */
    static Sequential lenetBn() {
        return new Sequential(
                new Conv2d(1, 6, 5, 1, 2), new BatchNorm2d(6), new Sigmoid(), new AvgPool2d(2, 2, 0),
                new Conv2d(6, 16, 5), new BatchNorm2d(16), new Sigmoid(), new AvgPool2d(2, 2, 0),
                new Flatten(), new Linear(400, 120), new BatchNorm1d(120), new Sigmoid(),
                new Linear(120, 84), new BatchNorm1d(84), new Sigmoid(), new Linear(84, 10));
    }

    static Stream<Arguments> ids() {
        List<Arguments> out = new ArrayList<>();
        MODULES.fieldNames().forEachRemaining(id -> {
            if (!id.startsWith("lazy")) {
                out.add(Arguments.of(id));
            }
        });
        return out.stream();
    }

    @Test
    void everyFixtureModuleIsBuilt() {
        MODULES.fieldNames().forEachRemaining(id -> assertTrue(id.startsWith("lazy") || BUILD.containsKey(id),
                "no Java module for " + id));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ids")
    void printsNamesAndInitializesAsPyTorch(String id) {
        JsonNode f = MODULES.get(id);
        Rng.manualSeed(11);
        Module m = BUILD.get(id).get();
        assertEquals(f.get("repr").asText(), m.toString(), id + " repr");
        assertStateDict(f.get("state_dict"), m, id);
        assertInit(f.get("init"), m, id);
    }

    private static void assertStateDict(JsonNode expected, Module m, String id) {
        Map<String, Tensor> sd = m.stateDict();
        List<String> keys = new ArrayList<>(sd.keySet());
        assertEquals(expected.size(), keys.size(), id + " state dict " + keys);
        for (int i = 0; i < expected.size(); i++) {
            JsonNode e = expected.get(i);
            assertEquals(e.get("key").asText(), keys.get(i), id + " key " + i);
            Tensor t = sd.get(keys.get(i));
            assertArrayEquals(Fixtures.shape(e.get("shape")), t.shape(), id + " " + keys.get(i) + " shape");
            DataType type = e.get("dtype").asText().equals("int64") ? DataType.LONG : DataType.FLOAT;
            assertEquals(type, t.dtype(), id + " " + keys.get(i) + " dtype");
        }
    }

    private static void assertInit(JsonNode init, Module m, String id) {
        Map<String, Tensor> sd = m.stateDict();
        init.fields().forEachRemaining(e -> {
            Tensor t = sd.get(e.getKey());
            double[] v = t.storage().toDoubleArray();
            JsonNode spec = e.getValue();
            if (spec.get("init").asText().equals("constant")) {
                for (double x : v) {
                    assertEquals(spec.get("value").asDouble(), x, 0, id + " " + e.getKey());
                }
            } else {
                double bound = spec.get("bound").asDouble();
                double lo = Double.MAX_VALUE;
                double hi = -Double.MAX_VALUE;
                for (double x : v) {
                    assertTrue(Math.abs(x) <= bound * (1 + 1e-6), id + " " + e.getKey() + ": " + x + " beyond "
                            + bound);
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
                if (v.length >= 16) {
                    // drawn from the whole range, not a narrower one
                    assertTrue(hi - lo > bound, id + " " + e.getKey() + ": values span only [" + lo + ", " + hi + "]");
                }
            }
        });
    }

    @Test
    void lazyConv2dTakesItsChannelsFromTheFirstCall() {
        JsonNode f = MODULES.get("lazyconv2d_16_3");
        LazyConv2d lazy = new LazyConv2d(16, 3);
        assertEquals(f.get("repr_before").asText(), lazy.toString());
        assertFalse(lazy.isInitialized());
        assertThrows(IllegalStateException.class, lazy::weight);
        Tensor y = lazy.call(Tensor.randn(Fixtures.shape(f.get("first_input_shape"))));
        assertArrayEquals(Fixtures.shape(f.get("first_output_shape")), y.shape());
        assertEquals(f.get("repr_after").asText(), lazy.toString());
        assertStateDict(f.get("state_dict_after"), lazy, "lazy after");
        assertInit(f.get("init"), lazy, "lazy after");
    }

    @Test
    void lazyConv2dTakesItsChannelsFromALoadedStateDict() {
        Conv2d eager = new Conv2d(3, 16, 3);
        LazyConv2d lazy = new LazyConv2d(16, 3);
        lazy.loadStateDict(eager.stateDict());
        assertTrue(lazy.isInitialized());
        assertEquals(eager.toString(), lazy.toString());
        assertArrayEquals(eager.weight().storage().toDoubleArray(), lazy.weight().storage().toDoubleArray(), 0);

        LazyConv2d wrong = new LazyConv2d(8, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> wrong.loadStateDict(eager.stateDict()));
        assertTrue(e.getMessage().contains("size mismatch for weight"), e.getMessage());
        assertFalse(wrong.isInitialized(), "a refused load changes nothing");
    }

    @Test
    void batchNormTracksBatchesInTrainingOnly() {
        BatchNorm2d bn = new BatchNorm2d(3);
        Tensor x = Tensor.randn(4, 3, 2, 2);
        bn.call(x);
        bn.call(x);
        assertEquals(2.0, bn.numBatchesTracked().item());
        double[] mean = bn.runningMean().storage().toDoubleArray();
        bn.eval();
        bn.call(x);
        assertEquals(2.0, bn.numBatchesTracked().item());
        assertArrayEquals(mean, bn.runningMean().storage().toDoubleArray(), 0, "eval leaves the running statistics");
        BatchNorm2d copy = new BatchNorm2d(3);
        copy.loadStateDict(bn.stateDict());
        assertEquals(2.0, copy.numBatchesTracked().item());
        assertEquals(DataType.LONG, copy.numBatchesTracked().dtype());
    }

    /** Each case's module, built as a Java user would. */
    private static ConvNd paddedModule(String name) {
        switch (name) {
            case "same_even_kernel": return Conv2d.builder(3, 4, 2, 4).padding("same").build();
            case "reflect": return Conv2d.builder(3, 4, 3).padding(1, 2).paddingMode("reflect").build();
            case "circular_1d": return Conv1d.builder(3, 4, 3).padding(1).paddingMode("circular").build();
            default: throw new IllegalArgumentException(name);
        }
    }

    @Test
    void convolutionsWithSamePaddingAndPaddingModesMatchPyTorch() {
        com.fasterxml.jackson.databind.JsonNode cases = dev.nn4j.testing.Fixtures
                .load("vision/conv_padding_modules.json").get("cases");
        cases.fields().forEachRemaining(e -> {
            com.fasterxml.jackson.databind.JsonNode c = e.getValue();
            ConvNd m = paddedModule(e.getKey());
            org.junit.jupiter.api.Assertions.assertEquals(c.get("repr").asText(), m.toString());
            m.to(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            java.util.Map<String, Tensor> sd = new java.util.LinkedHashMap<>();
            c.get("state_dict").fields().forEachRemaining(s -> sd.put(s.getKey(),
                    dev.nn4j.testing.Fixtures.tensor(s.getValue())));
            m.loadStateDict(sd);
            Tensor x = dev.nn4j.testing.Fixtures.tensor(c.get("x")).requiresGrad(true);
            Tensor y = m.call(x);
            dev.nn4j.testing.Fixtures.assertClose(c.get("output"), y, 1e-10, e.getKey() + " output");
            y.backward(dev.nn4j.testing.Fixtures.tensor(c.get("upstream")));
            dev.nn4j.testing.Fixtures.assertClose(c.get("grad_x"), x.grad(), 1e-10, e.getKey() + " grad x");
            c.get("grads").fields().forEachRemaining(g -> dev.nn4j.testing.Fixtures.assertClose(g.getValue(),
                    m.getParameter(g.getKey()).grad(), 1e-10, e.getKey() + " grad " + g.getKey()));
        });
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Conv2d.builder(3, 4, 3).stride(2).padding("same").build());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Conv2d.builder(3, 4, 3).paddingMode("mirror"));
    }
}

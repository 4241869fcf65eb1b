package dev.nn4j.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.Tensor;
import dev.nn4j.testing.Fixtures;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RNN, LSTM and GRU against PyTorch in float64 ({@code fixtures/seq/rnn_float64.json}): printed form, parameter
 * names, output sequence, final states, and the gradient of every parameter, the input and the initial states.
 */
class RecurrentParityTest {
    private static final double RTOL = 1e-10;
    private static final JsonNode CASES = Fixtures.load("seq/rnn_float64.json").get("cases");

    /** Each fixture case's module, built as a Java user would. */
    static RNNBase build(String name) {
        switch (name) {
            case "lstm_2layer_bidir": return LSTM.builder(3, 4).numLayers(2).bidirectional(true).build();
            case "lstm_batch_first_nostate": return LSTM.builder(3, 5).batchFirst(true).build();
            case "gru_2layer": return GRU.builder(4, 3).numLayers(2).build();
            case "gru_bidir_batch_first": return GRU.builder(3, 4).batchFirst(true).bidirectional(true).build();
            case "rnn_tanh": return RNN.builder(3, 4).numLayers(2).build();
            case "rnn_relu_nobias": return RNN.builder(3, 4).nonlinearity("relu").bias(false).bidirectional(true)
                    .build();
            case "lstm_proj_2layer_bidir": return LSTM.builder(3, 5).numLayers(2).bidirectional(true).projSize(2)
                    .build();
            default: throw new IllegalArgumentException(name);
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        CASES.fieldNames().forEachRemaining(n -> out.add(Arguments.of(n)));
        return out.stream();
    }

    static Tensor leaf(JsonNode c, String key) {
        return c.has(key) ? Fixtures.tensor(c.get(key)).requiresGrad(true) : null;
    }

    /** {@code net} in float64 with the case's PyTorch weights ({@code state_dict}). */
    static void loadWeights(RNNBase net, JsonNode c) {
        net.to(DataType.DOUBLE);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        c.get("state_dict").fields().forEachRemaining(e -> sd.put(e.getKey(), Fixtures.tensor(e.getValue())));
        net.loadStateDict(sd);
    }

    /** Every parameter's gradient, the input's and the given initial states' against the case's. */
    static void assertGradients(JsonNode c, RNNBase net, Tensor x, Tensor h0, Tensor c0, double rtol, String name) {
        c.get("grads").fields().forEachRemaining(e ->
                Fixtures.assertClose(e.getValue(), net.getParameter(e.getKey()).grad(), rtol, name + " grad " + e.getKey()));
        Fixtures.assertClose(c.get("grad_x"), x.grad(), rtol, name + " grad x");
        if (h0 != null) {
            Fixtures.assertClose(c.get("grad_h0"), h0.grad(), rtol, name + " grad h0");
        }
        if (c0 != null) {
            Fixtures.assertClose(c.get("grad_c0"), c0.grad(), rtol, name + " grad c0");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String name) {
        JsonNode c = CASES.get(name);
        RNNBase net = build(name);
        assertEquals(c.get("repr").asText(), net.toString());
        List<String> keys = new ArrayList<>();
        c.get("state_dict_keys").forEach(k -> keys.add(k.asText()));
        assertEquals(keys, new ArrayList<>(net.stateDict().keySet()));
        loadWeights(net, c);

        Tensor x = leaf(c, "x");
        Tensor h0 = leaf(c, "h0");
        Tensor c0 = leaf(c, "c0");
        Tensor out;
        Tensor hn;
        Tensor cn = null;
        if (net instanceof LSTM lstm) {
            LSTM.Output o = lstm.callWithState(x, h0, c0);
            out = o.output();
            hn = o.h();
            cn = o.c();
        } else if (net instanceof GRU gru) {
            GRU.Output o = gru.callWithState(x, h0);
            out = o.output();
            hn = o.h();
        } else {
            RNN.Output o = ((RNN) net).callWithState(x, h0);
            out = o.output();
            hn = o.h();
        }
        Fixtures.assertClose(c.get("output"), out, RTOL, name + " output");
        Fixtures.assertClose(c.get("h_n"), hn, RTOL, name + " h_n");
        Tensor loss = out.mul(Fixtures.tensor(c.get("upstream_output"))).sum()
                .add(hn.mul(Fixtures.tensor(c.get("upstream_h"))).sum());
        if (cn != null) {
            Fixtures.assertClose(c.get("c_n"), cn, RTOL, name + " c_n");
            loss = loss.add(cn.mul(Fixtures.tensor(c.get("upstream_c"))).sum());
        }
        loss.backward();
        assertGradients(c, net, x, h0, c0, RTOL, name);
        // call(x) is the output sequence for zero states
        if (h0 == null) {
            Fixtures.assertClose(c.get("output"), net.call(Fixtures.tensor(c.get("x"))), RTOL, name + " call(x)");
        }
    }

    @Test
    void badInputAndStatesAreRefusedNamingThePathAndShapes() {
        Sequential net = new Sequential(LSTM.builder(3, 4).numLayers(2).build());
        ModuleInputException e = assertThrows(ModuleInputException.class, () -> net.call(Tensor.randn(5, 2, 7)));
        assertTrue(e.getMessage().startsWith("LSTM(3, 4, num_layers=2) at \"0\""), e.getMessage());
        assertTrue(e.getMessage().contains("Expected 3, got 7") && e.getMessage().contains("[5, 2, 7]"), e.getMessage());
        LSTM lstm = net.get(0);
        ModuleInputException s = assertThrows(ModuleInputException.class,
                () -> lstm.callWithState(Tensor.randn(5, 2, 3), Tensor.zeros(1, 2, 4), null));
        assertTrue(s.getMessage().contains("Expected hidden size [2, 2, 4], got [1, 2, 4]"), s.getMessage());
        ModuleInputException d = assertThrows(ModuleInputException.class,
                () -> lstm.callWithState(Tensor.randn(2, 3), null, null));
        assertTrue(d.getMessage().contains("expected 3-D input [seq, batch, input_size]"), d.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RNN.builder(3, 4).nonlinearity("sigmoid"));
        assertNull(GRU.builder(2, 2).build().getSubmodule("").getParameter("weight_ih_l0").grad());
    }

    @org.junit.jupiter.api.Test
    void aProjectedLstmRefusesBadSizesAndStatesOfTheUnprojectedSize() {
        assertThrows(IllegalArgumentException.class, () -> LSTM.builder(3, 4).projSize(4).build());
        assertThrows(IllegalArgumentException.class, () -> LSTM.builder(3, 4).projSize(-1).build());
        LSTM lstm = LSTM.builder(3, 4).projSize(2).build();
        ModuleInputException e = assertThrows(ModuleInputException.class,
                () -> lstm.callWithState(Tensor.randn(5, 2, 3), Tensor.zeros(1, 2, 4), null));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("[1, 2, 2]")
                && e.getMessage().contains("[1, 2, 4]"), e.getMessage());
        LSTM.Output o = lstm.callWithState(Tensor.randn(5, 2, 3), null, null);
        assertEquals(List.of(5L, 2L, 2L), java.util.Arrays.stream(o.output().shape()).boxed().toList());
        assertEquals(List.of(1L, 2L, 4L), java.util.Arrays.stream(o.c().shape()).boxed().toList());
    }
}

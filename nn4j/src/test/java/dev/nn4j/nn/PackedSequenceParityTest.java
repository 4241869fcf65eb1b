package dev.nn4j.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.Tensor;
import dev.nn4j.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Packed sequences against PyTorch in float64 ({@code fixtures/seq/packed_float64.json}): packing, unpacking and
 * padding as {@code torch.nn.utils.rnn} does them, and RNN, LSTM and GRU over packed batches of unsorted lengths
 * (output data, final states, and the gradient of every parameter, the padded input and the initial states).
 */
class PackedSequenceParityTest {
    private static final double RTOL = 1e-10;
    private static final JsonNode FIXTURE = Fixtures.load("seq/packed_float64.json");
    private static final JsonNode CASES = FIXTURE.get("cases");

    static RNNBase build(String name) {
        switch (name) {
            case "lstm_2layer_bidir": return LSTM.builder(3, 4).numLayers(2).bidirectional(true).build();
            case "lstm_batch_first_nostate": return LSTM.builder(2, 3).batchFirst(true).build();
            case "lstm_proj_bidir": return LSTM.builder(3, 4).bidirectional(true).projSize(2).build();
            case "gru_bidir_batch_first": return GRU.builder(3, 4).batchFirst(true).bidirectional(true).build();
            case "rnn_tanh_2layer": return RNN.builder(2, 3).numLayers(2).build();
            default: throw new IllegalArgumentException(name);
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        CASES.fieldNames().forEachRemaining(n -> out.add(Arguments.of(n)));
        return out.stream();
    }

    private static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    private static long[] longs(Tensor t) {
        return t.array().toLongVector();
    }

    @Test
    void packingAndPaddingMatchPyTorch() {
        JsonNode u = FIXTURE.get("utils");
        Tensor x = Fixtures.tensor(u.get("x")).requiresGrad(true);
        PackedSequence p = RnnUtils.packPaddedSequence(x, longs(u.get("lengths")), true, false);
        Fixtures.assertClose(u.get("data"), p.data(), RTOL, "data");
        assertArrayEquals(longs(u.get("batch_sizes").get("data")), longs(p.batchSizes()));
        assertArrayEquals(longs(u.get("sorted_indices").get("data")), longs(p.sortedIndices()));
        assertArrayEquals(longs(u.get("unsorted_indices").get("data")), longs(p.unsortedIndices()));
        RnnUtils.Padded padded = RnnUtils.padPackedSequence(p, true, -1.0, 5);
        Fixtures.assertClose(u.get("padded"), padded.output(), RTOL, "padded");
        assertArrayEquals(longs(u.get("padded_lengths").get("data")), longs(padded.lengths()));
        // the packing is differentiable: each element's gradient is 1 where it was packed, 0 in the padding
        p.data().sum().backward();
        double packedCount = x.grad().sum().item();
        assertTrue(packedCount == 7 * 2, "2 + 4 + 1 steps of 2 features: " + packedCount);
        List<Tensor> seqs = new ArrayList<>();
        u.get("sequences").forEach(s -> seqs.add(Fixtures.tensor(s)));
        Fixtures.assertClose(u.get("pad_sequence"), RnnUtils.padSequence(seqs, false, 0.5), RTOL, "pad_sequence");
        Fixtures.assertClose(u.get("packed_sorted_data"), RnnUtils.packSequence(List.of(seqs.get(0), seqs.get(2),
                seqs.get(1)), true).data(), RTOL, "pack_sequence");
    }

    @Test
    void badPackingIsRefused() {
        Tensor x = Tensor.randn(4, 3, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RnnUtils.packPaddedSequence(x, new long[] {2, 4, 1}, false, true));
        assertTrue(e.getMessage().contains("sorted in decreasing order"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RnnUtils.packPaddedSequence(x, new long[] {2, 5, 1}, false,
                false));
        assertThrows(IllegalArgumentException.class, () -> RnnUtils.packPaddedSequence(x, new long[] {2, 1}, false,
                false));
        PackedSequence p = RnnUtils.packPaddedSequence(x, new long[] {4, 2, 1}, false, true);
        ModuleInputException m = assertThrows(ModuleInputException.class,
                () -> LSTM.builder(3, 4).build().callPacked(p, null, null));
        assertTrue(m.getMessage().contains("[7, 2]"), m.getMessage());
    }

    @Test
    void paddingKeepsTheValueExactAndBadSequencesAreRefused() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3, 1, 1);
        PackedSequence p = RnnUtils.packPaddedSequence(x, new long[] {1}, false, true);
        RnnUtils.Padded padded = RnnUtils.padPackedSequence(p, false, 0.1, 3);
        assertArrayEquals(new double[] {1, 0.1, 0.1}, padded.output().array().dup().data().asDouble());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> RnnUtils.packPaddedSequence(Tensor.zeros(3, 0, 2), new long[0], false, true));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.withData(Tensor.zeros(2, 1)));
        LSTM lstm = LSTM.builder(1, 2).build();
        lstm.to(DataType.DOUBLE);
        PackedSequence two = RnnUtils.packPaddedSequence(Tensor.zeros(3, 2, 1).to(DataType.DOUBLE), new long[] {3, 1},
                false, false);
        ModuleInputException bad = assertThrows(ModuleInputException.class,
                () -> lstm.callPacked(two, Tensor.zeros(1, 3, 2).to(DataType.DOUBLE), null));
        assertTrue(bad.getMessage().contains("[1, 2, 2]") && bad.getMessage().contains("[1, 3, 2]"),
                bad.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void recurrentLayersOverPackedSequencesMatchPyTorch(String name) {
        JsonNode c = CASES.get(name);
        RNNBase net = build(name);
        RecurrentParityTest.loadWeights(net, c);
        Tensor x = RecurrentParityTest.leaf(c, "x");
        Tensor h0 = RecurrentParityTest.leaf(c, "h0");
        Tensor c0 = RecurrentParityTest.leaf(c, "c0");
        PackedSequence packed = RnnUtils.packPaddedSequence(x, longs(c.get("lengths")), c.get("batch_first")
                .asBoolean(), false);
        PackedSequence out;
        Tensor hn;
        Tensor cn = null;
        if (net instanceof LSTM lstm) {
            LSTM.PackedOutput o = lstm.callPacked(packed, h0, c0);
            out = o.output();
            hn = o.h();
            cn = o.c();
        } else if (net instanceof GRU gru) {
            GRU.PackedOutput o = gru.callPacked(packed, h0);
            out = o.output();
            hn = o.h();
        } else {
            RNN.PackedOutput o = ((RNN) net).callPacked(packed, h0);
            out = o.output();
            hn = o.h();
        }
        Fixtures.assertClose(c.get("output_data"), out.data(), RTOL, name + " output data");
        assertArrayEquals(longs(c.get("batch_sizes").get("data")), longs(out.batchSizes()));
        Fixtures.assertClose(c.get("h_n"), hn, RTOL, name + " h_n");
        Tensor loss = out.data().mul(Fixtures.tensor(c.get("upstream_output"))).sum()
                .add(hn.mul(Fixtures.tensor(c.get("upstream_h"))).sum());
        if (cn != null) {
            Fixtures.assertClose(c.get("c_n"), cn, RTOL, name + " c_n");
            loss = loss.add(cn.mul(Fixtures.tensor(c.get("upstream_c"))).sum());
        }
        loss.backward();
        RecurrentParityTest.assertGradients(c, net, x, h0, c0, RTOL, name);
    }

    @Test
    void aPackedLstmInFloat32TakesTheFusedPathAndAgreesWithFloat64() {
        // the float32 kernel (direct buffers) against the float64 one on the same packed batch
        JsonNode c = CASES.get("lstm_2layer_bidir");
        List<double[]> results = new ArrayList<>();
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            RNNBase net = build("lstm_2layer_bidir");
            RecurrentParityTest.loadWeights(net, c);
            net.to(t);
            Tensor x = Fixtures.tensor(c.get("x")).to(t).requiresGrad(true);
            PackedSequence p = RnnUtils.packPaddedSequence(x, longs(c.get("lengths")), false, false);
            LSTM.PackedOutput o = ((LSTM) net).callPacked(p, null, null);
            o.output().data().sum().add(o.h().sum()).add(o.c().mul(2.0).sum()).backward();
            results.add(o.output().data().to(DataType.DOUBLE).array().dup().data().asDouble());
            results.add(x.grad().to(DataType.DOUBLE).array().dup().data().asDouble());
            results.add(net.getParameter("weight_hh_l0_reverse").grad().to(DataType.DOUBLE).array().dup().data()
                    .asDouble());
        }
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(results.get(k), results.get(k + 3), 1e-5, "result " + k);
        }
    }
}

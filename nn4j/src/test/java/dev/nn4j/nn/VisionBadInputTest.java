package dev.nn4j.nn;

import dev.nn4j.core.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to the vision layers: a clear exception naming the module, its path and both shapes, and nothing
 * changed (parameters and running statistics as they were).
 */
class VisionBadInputTest {
    private static Sequential net() {
        return new Sequential(new Sequential(new Conv2d(3, 16, 3), new BatchNorm2d(16), new ReLU()),
                new MaxPool2d(2));
    }

    private static ModuleInputException refused(Module m, Tensor x) {
        Map<String, Tensor> before = m.stateDict();
        Map<String, double[]> values = new java.util.LinkedHashMap<>();
        before.forEach((k, v) -> values.put(k, v.storage().toDoubleArray()));
        ModuleInputException e = assertThrows(ModuleInputException.class, () -> m.call(x));
        m.stateDict().forEach((k, v) -> assertArrayEquals(values.get(k), v.storage().toDoubleArray(), 0,
                k + " changed by a refused call"));
        return e;
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void wrongChannelCount() {
        ModuleInputException e = refused(net(), Tensor.randn(2, 5, 8, 8));
        assertMentions(e, "Conv2d(3, 16, kernel_size=(3, 3), stride=(1, 1)) at \"0.0\"", "[2, 5, 8, 8]",
                "[16, 3, 3, 3]", "3 channels", "5 channels");
    }

    @Test
    void threeDimensionalInputToConv2d() {
        ModuleInputException e = refused(net(), Tensor.randn(3, 8, 8));
        assertMentions(e, "at \"0.0\"", "4-D input [N, C, H, W]", "[3, 8, 8]", "unsqueeze(0)");
    }

    @Test
    void kernelLargerThanThePaddedInput() {
        ModuleInputException e = refused(net(), Tensor.randn(2, 3, 2, 2));
        assertMentions(e, "at \"0.0\"", "Kernel size can't be greater than actual input size", "[2, 3, 2, 2]",
                "[16, 3, 3, 3]");
        // the pooling after it: 1x1 maps cannot be pooled by 2
        ModuleInputException pool = refused(net(), Tensor.randn(2, 3, 3, 3));
        assertMentions(pool, "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False) at \"1\"",
                "Output size is too small");
    }

    @Test
    void groupsThatDoNotDivideTheChannels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Conv2d.builder(6, 8, 3).groups(4).build());
        assertMentions(e, "in_channels must be divisible by groups", "in_channels=6", "groups=4");
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
                () -> Functional.conv2d(Tensor.randn(1, 6, 5, 5), Tensor.randn(8, 2, 3, 3), null, 1, 0, 1, 4));
        assertMentions(f, "expected input[1, 6, 5, 5] to have 8 channels", "[8, 2, 3, 3]");
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 8));
    }

    @Test
    void batchNormRefusesWrongChannelsAndASingleValuePerChannel() {
        BatchNorm1d bn = new BatchNorm1d(10);
        ModuleInputException e = refused(bn, Tensor.randn(4, 7));
        assertMentions(e, "BatchNorm1d(10, eps=1e-05", "[4, 7]", "10 channels");
        ModuleInputException one = refused(bn, Tensor.randn(1, 10));
        assertMentions(one, "Expected more than 1 value per channel when training", "[1, 10]");
        assertEquals(0.0, bn.numBatchesTracked().item(), "a refused call counts no batch");
    }

    @Test
    void layerNormRefusesAnInputOfAnotherShape() {
        ModuleInputException e = refused(new LayerNorm(8), Tensor.randn(2, 7));
        assertMentions(e, "LayerNorm((8,)", "normalized_shape=[8]", "[2, 7]");
    }

    @Test
    void aTransposedConvolutionRefusesWrongChannelsAndOutputPaddingNamingThePath() {
        Sequential net = new Sequential(new ConvTranspose2d(8, 4, 3, 2, 1, 1));
        ModuleInputException e = assertThrows(ModuleInputException.class, () -> net.call(Tensor.randn(2, 6, 4, 4)));
        assertMentions(e, "ConvTranspose2d(8, 4", "at \"0\"", "[2, 6, 4, 4]", "8 channels");
        IllegalArgumentException op = assertThrows(IllegalArgumentException.class,
                () -> ConvTranspose2d.builder(4, 4, 3).stride(2).outputPadding(2).build());
        assertMentions(op, "output padding must be smaller than either stride or dilation");
        assertThrows(IllegalArgumentException.class, () -> ConvTranspose2d.builder(4, 6, 3).groups(4).build());
    }

    @Test
    void bceWithLogitsLossPrintsAsPyTorchAndRefusesMismatchedTargets() {
        BCEWithLogitsLoss loss = new BCEWithLogitsLoss();
        assertEquals("BCEWithLogitsLoss()", loss.toString());
        Tensor x = Tensor.of(new double[] {0, 2}, 2);
        Tensor y = Tensor.of(new double[] {1, 0}, 2);
        // log(2) and 2 + log(1 + e^-2), averaged
        assertEquals((Math.log(2) + 2 + Math.log1p(Math.exp(-2))) / 2, loss.call(x, y).item(), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loss.call(x, Tensor.of(new double[] {1, 0, 1}, 3)));
        assertMentions(e, "Target size ([3])", "input size ([2])");
        assertThrows(IllegalArgumentException.class, () -> new BCEWithLogitsLoss("avg"));
    }

    @Test
    void logSoftmaxThenNllLossIsCrossEntropy() {
        Sequential net = new Sequential(new Linear(4, 3), new LogSoftmax(1));
        assertEquals("LogSoftmax(dim=1)", net.get(1).toString());
        assertEquals("NLLLoss()", new NLLLoss().toString());
        Tensor x = Tensor.randn(5, 4);
        Tensor y = Tensor.of(new long[] {0, 2, 1, 1, 0}, 5);
        assertEquals(Functional.crossEntropy(net.get(0).call(x), y).item(), new NLLLoss().call(net.call(x), y).item(),
                1e-6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NLLLoss().call(net.call(x), Tensor.of(new long[] {0, 3, 1, 1, 0}, 5)));
        assertMentions(e, "nll_loss", "target 3", "3 classes");
    }

    @Test
    void reviewFindingsOnTheNewLayers() {
        // output padding at least the stride (allowed by PyTorch through the dilation) is refused, not miscomputed
        IllegalArgumentException op = assertThrows(IllegalArgumentException.class, () -> Functional.convTranspose2d(
                Tensor.randn(1, 2, 4, 4), Tensor.randn(2, 2, 3, 3), null, new int[] {1, 1}, new int[] {0, 0},
                new int[] {1, 1}, 1, new int[] {2, 2}));
        assertMentions(op, "not supported yet");
        // a builder changed after build does not change the layer it built
        Conv2d.Builder b = Conv2d.builder(3, 8, 3);
        Conv2d first = b.build();
        b.stride(2).padding("same").padding(0, 2);
        assertEquals("Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))", first.toString());
        assertEquals("Conv2d(3, 8, kernel_size=(3, 3), stride=(2, 2), padding=(0, 2))", b.build().toString());
        // the non-constant modes take no value and never pad batch or channels
        assertThrows(IllegalArgumentException.class,
                () -> Functional.pad(Tensor.randn(1, 2, 4, 4), new int[] {1, 1, 1, 1}, "reflect", 1.5));
        assertThrows(IllegalArgumentException.class,
                () -> Functional.pad(Tensor.randn(2, 4, 4), new int[] {1, 1, 1, 1, 1, 1}, "replicate", 0));
    }
}

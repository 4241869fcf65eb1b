package dev.nn4j.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs every example's {@code main} and checks its key output lines, so the examples cannot rot. */
class ExamplesTest {
    static String run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            Main.main(args);
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    static void contains(String out, String... lines) {
        for (String l : lines) {
            assertTrue(out.contains(l), "output lacks \"" + l + "\":\n" + out);
        }
    }

    @Test
    void blocks() {
        contains(run("Blocks"), "Sequential output shape: [2, 10]", "MLP output shape: [2, 10]",
                "MySequential output shape: [2, 10]", "FixedHiddenMLP: tensor(", "grad_fn=<SumBackward>)",
                "  (0): NestMLP(\n    (net): Sequential(\n", "  (2): FixedHiddenMLP(\n");
    }

    @Test
    void parameters() {
        contains(run("Parameters"), "type: dev.nn4j.nn.Parameter", "Parameter containing:\ntensor([",
                "grad is None: true", "(0.weight, torch.Size([8, 4])) (0.bias, torch.Size([8])) (2.weight, "
                        + "torch.Size([1, 8])) (2.bias, torch.Size([1]))", "    (block 3): Sequential(\n",
                "getSubmodule(\"0.block 1.0\") is the same: true");
    }

    @Test
    void initialization() {
        contains(run("Initialization"), "constant(1): tensor([1., 1., 1., 1.]) tensor(0.)",
                "42: tensor([[42., 42., 42., 42., 42., 42., 42., 42.]])", "Init weight [8, 4]", "Init weight [1, 8]",
                "edited: tensor([42.,");
    }

    @Test
    void tying() {
        contains(run("Tying"), "same values: tensor([True, True, True, True, True, True, True, True])",
                "after an edit: tensor([True, True, True, True, True, True, True, True])", "same object: true",
                "named_parameters: [0.weight, 0.bias, 2.weight, 2.bias, 6.weight, 6.bias]",
                "state_dict keys: [0.weight, 0.bias, 2.weight, 2.bias, 4.weight, 4.bias, 6.weight, 6.bias]");
    }

    @Test
    void lazyInit() {
        contains(run("LazyInit"), "  (0): LazyLinear(in_features=0, out_features=256, bias=True)\n",
                "  (0): Linear(in_features=20, out_features=256, bias=True)\n", "0.weight [256, 20]",
                "not been fully initialized");
    }

    @Test
    void customLayers() {
        String out = run("CustomLayers");
        contains(out, "tensor([-2., -1.,  0.,  1.,  2.])", "mean after CenteredLayer: ", "MyLinear weight: Parameter containing:");
        String mean = out.split("mean after CenteredLayer: ")[1].split("\n")[0].trim();
        assertTrue(Math.abs(Double.parseDouble(mean)) < 1e-6, "mean " + mean);
    }

    @Test
    void devices() {
        contains(run("Devices"), "tryGpu(10): cpu", "net(x) on ", "weight device: ");
    }

    @Test
    void parallel() {
        contains(run("Parallel"), "concatenated output shape: [2, 12]", "stacked output shape: [2, 20]",
                "parameters: 6 tensors, 1260 numbers");
    }

    @Test
    void saveLoad(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        contains(run("SaveLoad", dir.toString()), "x2: tensor([0, 1, 2, 3])",
                "(x2, y2): tensor([0, 1, 2, 3]) tensor([0., 0., 0., 0.])", "mydict2: {x=tensor([0, 1, 2, 3]), "
                        + "y=tensor([0., 0., 0., 0.])}", "  (hidden): Linear(in_features=20, out_features=256, bias=True)",
                "all equal: true");
    }

    @Test
    void training(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String out = run("Training", dir.toString());
        contains(out, "test accuracy: ", "reloaded model gives identical predictions: true");
        double acc = Double.parseDouble(out.split("test accuracy: ")[1].split("%")[0]);
        assertTrue(acc >= 95.0, "accuracy " + acc);
        assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("loss.png")));
        assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("digits-mlp.safetensors")));
    }

    @Test
    void leNet(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String out = run("LeNet", dir.toString());
        contains(out, "(1): BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
                "test accuracy: ", "reloaded model gives identical predictions: true");
        double acc = Double.parseDouble(out.split("test accuracy: ")[1].split("%")[0]);
        assertTrue(acc >= 95.0, "accuracy " + acc);
        assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("lenet-loss.png")));
    }

    @Test
    void resNet(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String out = run("ResNet", dir.toString());
        contains(out, "(3): Residual(\n    (conv1): Conv2d(32, 32, kernel_size=(3, 3)", "test accuracy: ");
        double acc = Double.parseDouble(out.split("test accuracy: ")[1].split("%")[0]);
        assertTrue(acc >= 95.0, "accuracy " + acc);
    }

    @Test
    void charLm(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        // a few steps each: the examples run, print, plot and sample (their full runs are for humans)
        String lstm = run("CharLM", dir.toString(), "lstm", "15");
        contains(lstm, "(lstm): LSTM(64, 128, batch_first=True)", "final loss (smoothed): ", "sample: And God said");
        assertTrue(java.nio.file.Files.isRegularFile(dir.resolve("charlm-loss.png")));
        String transformer = run("CharLM", dir.toString(), "transformer", "3");
        contains(transformer, "(0-1): 2 x TransformerEncoderLayer(", "sample: And God said");
    }

    @Test
    void launcherListsExamples() {
        contains(run("list"), "examples: Blocks, Parameters, Initialization");
    }
}

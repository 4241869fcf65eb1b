package dev.nn4j.examples;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.io.Checkpoint;
import dev.nn4j.nn.AvgPool2d;
import dev.nn4j.nn.BatchNorm1d;
import dev.nn4j.nn.BatchNorm2d;
import dev.nn4j.nn.Conv2d;
import dev.nn4j.nn.Flatten;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Sequential;
import dev.nn4j.nn.Sigmoid;
import dev.nn4j.optim.SGD;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * d2l's LeNet with batch normalization, sized for the bundled 8x8 digits (3x3 convolutions with padding 1 where
 * d2l's 28x28 version has 5x5): two conv / batch-norm / sigmoid / average-pool stages, then three linear layers
 * with batch norm. Trains with SGD and momentum, prints the tree, the test accuracy, saves the loss curve and a
 * checkpoint that a model rebuilt from code reloads. {@code mvn -q compile exec:java -Dexec.args="LeNet [outputDir]"}.
 */
public final class LeNet {
    static final int EPOCHS = 30;
    static final int BATCH = 32;

    private LeNet() {
    }

    /** The network; the same as the PyTorch fixture {@code lenet_digits} (test/resources/fixtures/vision). */
    public static Sequential model() {
        return new Sequential(
                new Conv2d(1, 6, 3, 1, 1), new BatchNorm2d(6), new Sigmoid(), new AvgPool2d(2, 2, 0),
                new Conv2d(6, 16, 3, 1, 1), new BatchNorm2d(16), new Sigmoid(), new AvgPool2d(2, 2, 0),
                new Flatten(), new Linear(64, 120), new BatchNorm1d(120), new Sigmoid(),
                new Linear(120, 84), new BatchNorm1d(84), new Sigmoid(), new Linear(84, 10));
    }

    /** Rows of 64 pixels as {@code [N, 1, 8, 8]} images. */
    static Tensor images(Tensor rows) {
        return rows.reshape(-1, 1, 8, 8);
    }

    /** Trains, evaluates, plots, saves and reloads; prints the test accuracy. */
    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0] : "target/examples");
        Rng.manualSeed(42);
        Digits data = Digits.load(42, 0.2);
        Sequential net = model();
        System.out.println(net);
        SGD opt = new SGD(net.parameters(), 0.03).momentum(0.9);
        List<Double> curve = Fit.train(net, opt, data, EPOCHS, BATCH, LeNet::images);
        long[] predicted = Fit.predict(net, images(data.testX()));
        System.out.printf("test accuracy: %.1f%% on %d images%n", 100 * Fit.accuracy(predicted, data.testY()),
                predicted.length);
        LossChart.save(curve, "digits LeNet (batch norm)", out.resolve("lenet-loss.png"));
        System.out.println("loss curve: " + out.resolve("lenet-loss.png"));
        Path ckpt = out.resolve("digits-lenet.safetensors");
        Checkpoint.save(net.stateDict(), ckpt);
        Sequential clone = model();
        clone.loadStateDict(Checkpoint.loadMap(ckpt));
        clone.eval();
        boolean same = Arrays.equals(predicted, Fit.predict(clone, images(data.testX())));
        System.out.println("checkpoint: " + ckpt + " (running statistics included); reloaded model gives identical "
                + "predictions: " + same);
    }
}

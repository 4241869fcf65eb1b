package dev.nn4j.examples;

import dev.nn4j.core.Rng;
import dev.nn4j.io.Checkpoint;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;
import dev.nn4j.optim.SGD;
import java.nio.file.Path;
import java.util.List;

/**
 * End to end: an MLP learns the 8x8 handwritten digits with SGD and momentum; the loss curve goes to a PNG, the
 * model to a safetensors checkpoint, which a model rebuilt from code reloads with identical predictions.
 * {@code mvn -q compile exec:java -Dexec.args="Training [outputDir]"}.
 */
public final class Training {
    static final int EPOCHS = 20;
    static final int BATCH = 32;

    private Training() {
    }

    static Sequential model() {
        return new Sequential(new Linear(64, 128), new ReLU(), new Linear(128, 10));
    }

    /** Trains, evaluates, plots, saves and reloads; prints the test accuracy. */
    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0] : "target/examples");
        Rng.manualSeed(42);
        Digits data = Digits.load(42, 0.2);
        Sequential net = model();
        SGD opt = new SGD(net.parameters(), 0.05).momentum(0.9);
        List<Double> curve = Fit.train(net, opt, data, EPOCHS, BATCH, x -> x);
        long[] predicted = Fit.predict(net, data.testX());
        System.out.printf("test accuracy: %.1f%% on %d images%n", 100 * Fit.accuracy(predicted, data.testY()),
                predicted.length);
        LossChart.save(curve, "digits MLP", out.resolve("loss.png"));
        System.out.println("loss curve: " + out.resolve("loss.png"));
        Path ckpt = out.resolve("digits-mlp.safetensors");
        Checkpoint.save(net.stateDict(), ckpt);
        Sequential clone = model();
        clone.loadStateDict(Checkpoint.loadMap(ckpt));
        clone.eval();
        boolean same = java.util.Arrays.equals(predicted, Fit.predict(clone, data.testX()));
        System.out.println("checkpoint: " + ckpt + "; reloaded model gives identical predictions: " + same);
    }
}

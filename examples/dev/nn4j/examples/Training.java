package dev.nn4j.examples;

import dev.nn4j.core.NoGrad;
import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.io.Checkpoint;
import dev.nn4j.nn.CrossEntropyLoss;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;
import dev.nn4j.optim.SGD;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

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
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        SGD opt = new SGD(net.parameters(), 0.05).momentum(0.9);
        long n = data.trainX().size(0);
        int batches = (int) ((n + BATCH - 1) / BATCH);
        List<Double> curve = new ArrayList<>();
        for (int epoch = 1; epoch <= EPOCHS; epoch++) {
            net.train();
            int[] order = Digits.permutation((int) n, 1000 + epoch);
            double running = 0;
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName(String.format("epoch %2d", epoch))
                    .setInitialMax(batches).setConsumer(new ConsoleProgressBarConsumer(System.out))
                    .continuousUpdate().build()) {
                for (int b = 0; b < batches; b++) {
                    int[] rows = java.util.Arrays.copyOfRange(order, b * BATCH, (int) Math.min(n, (b + 1L) * BATCH));
                    Tensor x = Digits.rows(data.trainX(), rows);
                    Tensor y = Digits.rows(data.trainY(), rows);
                    opt.zeroGrad();
                    Tensor loss = lossFn.call(net.call(x), y);
                    loss.backward();
                    opt.step();
                    running += loss.item();
                    bar.step();
                    bar.setExtraMessage(String.format("loss %.4f", running / (b + 1)));
                }
            }
            curve.add(running / batches);
        }
        net.eval();
        long[] predicted = predict(net, data.testX());
        System.out.printf("test accuracy: %.1f%% on %d images%n", 100 * accuracy(predicted, data.testY()),
                predicted.length);
        LossChart.save(curve, "digits MLP", out.resolve("loss.png"));
        System.out.println("loss curve: " + out.resolve("loss.png"));
        Path ckpt = out.resolve("digits-mlp.safetensors");
        Checkpoint.save(net.stateDict(), ckpt);
        Sequential clone = model();
        clone.loadStateDict(Checkpoint.loadMap(ckpt));
        clone.eval();
        boolean same = java.util.Arrays.equals(predicted, predict(clone, data.testX()));
        System.out.println("checkpoint: " + ckpt + "; reloaded model gives identical predictions: " + same);
    }

    static long[] predict(Sequential net, Tensor x) {
        try (NoGrad g = NoGrad.enter()) {
            Tensor logits = net.call(x);
            return Nd4j.argMax(logits.array().castTo(DataType.DOUBLE), 1).toLongVector();
        }
    }

    static double accuracy(long[] predicted, Tensor labels) {
        long[] y = labels.array().toLongVector();
        int right = 0;
        for (int i = 0; i < y.length; i++) {
            right += predicted[i] == y[i] ? 1 : 0;
        }
        return (double) right / y.length;
    }
}

package dev.nn4j.examples;

import dev.nn4j.core.NoGrad;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.CrossEntropyLoss;
import dev.nn4j.nn.Module;
import dev.nn4j.optim.Optimizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The classification training loop the digits examples share: shuffled mini-batches, a progress bar per epoch. */
final class Fit {
    private Fit() {
    }

    /**
     * Trains {@code net} with cross entropy on {@code data}'s training split for {@code epochs}, each image batch
     * passed through {@code shape} first (e.g. into {@code [N, 1, 8, 8]}); returns each epoch's mean loss.
     */
    static List<Double> train(Module net, Optimizer opt, Digits data, int epochs, int batch,
                              UnaryOperator<Tensor> shape) {
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        long n = data.trainX().size(0);
        int batches = (int) ((n + batch - 1) / batch);
        List<Double> curve = new ArrayList<>();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            net.train();
            int[] order = Digits.permutation((int) n, 1000 + epoch);
            double running = 0;
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName(String.format("epoch %2d", epoch))
                    .setInitialMax(batches).setConsumer(new ConsoleProgressBarConsumer(System.out))
                    .continuousUpdate().build()) {
                for (int b = 0; b < batches; b++) {
                    int[] rows = Arrays.copyOfRange(order, b * batch, (int) Math.min(n, (b + 1L) * batch));
                    Tensor x = shape.apply(Digits.rows(data.trainX(), rows));
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
        return curve;
    }

    /** The predicted class of each row of {@code x}. */
    static long[] predict(Module net, Tensor x) {
        try (NoGrad g = NoGrad.enter()) {
            Tensor logits = net.call(x);
            return Nd4j.argMax(logits.array().castTo(DataType.DOUBLE), 1).toLongVector();
        }
    }

    /** The fraction of {@code predicted} equal to {@code labels}. */
    static double accuracy(long[] predicted, Tensor labels) {
        long[] y = labels.array().toLongVector();
        int right = 0;
        for (int i = 0; i < y.length; i++) {
            right += predicted[i] == y[i] ? 1 : 0;
        }
        return (double) right / y.length;
    }
}

package dev.nn4j.examples;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.AdaptiveAvgPool2d;
import dev.nn4j.nn.BatchNorm2d;
import dev.nn4j.nn.Conv2d;
import dev.nn4j.nn.Flatten;
import dev.nn4j.nn.Functional;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Module;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;
import dev.nn4j.optim.SGD;
import java.nio.file.Path;
import java.util.List;

/**
 * A small ResNet on the 8x8 digits: a 3x3 stem, three residual blocks of 32 channels (d2l's {@code Residual}:
 * conv / batch norm / ReLU / conv / batch norm, plus the input, then ReLU), global average pooling and a linear
 * classifier. {@code mvn -q compile exec:java -Dexec.args="ResNet [outputDir]"}.
 */
public final class ResNet {
    static final int EPOCHS = 10;
    static final int BATCH = 32;

    private ResNet() {
    }

    /**
     * d2l's residual block with an identity shortcut: {@code relu(bn2(conv2(relu(bn1(conv1(x))))) + x)}. PyTorch:
     * {@code d2l.Residual(num_channels)}.
     */
    public static final class Residual extends Module {
        private final Conv2d conv1;
        private final BatchNorm2d bn1;
        private final Conv2d conv2;
        private final BatchNorm2d bn2;

        /** A block of {@code channels} in and out. */
        public Residual(long channels) {
            conv1 = registerModule("conv1", new Conv2d(channels, channels, 3, 1, 1));
            bn1 = registerModule("bn1", new BatchNorm2d(channels));
            conv2 = registerModule("conv2", new Conv2d(channels, channels, 3, 1, 1));
            bn2 = registerModule("bn2", new BatchNorm2d(channels));
        }

        @Override
        protected Tensor forward(Tensor x) {
            Tensor y = Functional.relu(bn1.call(conv1.call(x)));
            return Functional.relu(bn2.call(conv2.call(y)).add(x));
        }
    }

    /** The network: {@code channels} wide, {@code blocks} residual blocks, for {@code in}-channel images. */
    public static Sequential model(long in, long channels, int blocks, long classes) {
        Sequential net = new Sequential(new Conv2d(in, channels, 3, 1, 1), new BatchNorm2d(channels), new ReLU());
        for (int i = 0; i < blocks; i++) {
            net.add(new Residual(channels));
        }
        net.add(new AdaptiveAvgPool2d(1, 1));
        net.add(new Flatten());
        net.add(new Linear(channels, classes));
        return net;
    }

    /** Trains and evaluates; prints the tree and the test accuracy, saves the loss curve. */
    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0] : "target/examples");
        Rng.manualSeed(42);
        Digits data = Digits.load(42, 0.2);
        Sequential net = model(1, 32, 3, 10);
        System.out.println(net);
        SGD opt = new SGD(net.parameters(), 0.05).momentum(0.9);
        List<Double> curve = Fit.train(net, opt, data, EPOCHS, BATCH, LeNet::images);
        long[] predicted = Fit.predict(net, LeNet.images(data.testX()));
        System.out.printf("test accuracy: %.1f%% on %d images%n", 100 * Fit.accuracy(predicted, data.testY()),
                predicted.length);
        LossChart.save(curve, "digits ResNet", out.resolve("resnet-loss.png"));
        System.out.println("loss curve: " + out.resolve("resnet-loss.png"));
    }
}

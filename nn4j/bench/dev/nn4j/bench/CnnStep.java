package dev.nn4j.bench;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.examples.ResNet;
import dev.nn4j.nn.AvgPool2d;
import dev.nn4j.nn.BatchNorm1d;
import dev.nn4j.nn.BatchNorm2d;
import dev.nn4j.nn.Conv2d;
import dev.nn4j.nn.Flatten;
import dev.nn4j.nn.Functional;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Sequential;
import dev.nn4j.nn.Sigmoid;
import dev.nn4j.optim.SGD;

/**
 * The convolutional training steps, as a PyTorch user writes them: forward, cross entropy, backward, SGD with
 * momentum 0.9. {@code lenet}: d2l's LeNet with batch norm, batch 64 of 1x28x28; {@code resnet}: a 3x3 stem, three
 * residual blocks of 32 channels, global average pooling and a linear layer, batch 32 of 3x32x32.
 */
final class CnnStep {
    final Sequential net;
    final Tensor x;
    final Tensor y;
    final SGD opt;

    CnnStep(String model) {
        Rng.manualSeed(0);
        boolean lenet = model.equals("lenet");
        net = lenet ? lenetBn() : ResNet.model(3, 32, 3, 10);
        int batch = lenet ? 64 : 32;
        x = lenet ? Tensor.randn(batch, 1, 28, 28) : Tensor.randn(batch, 3, 32, 32);
        long[] labels = new long[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % 10;
        }
        y = Tensor.of(labels, batch);
        opt = new SGD(net.parameters(), 0.01).momentum(0.9);
    }

    /** d2l's LeNet with batch normalization (28x28 input). */
    static Sequential lenetBn() {
        return new Sequential(
                new Conv2d(1, 6, 5, 1, 2), new BatchNorm2d(6), new Sigmoid(), new AvgPool2d(2, 2, 0),
                new Conv2d(6, 16, 5), new BatchNorm2d(16), new Sigmoid(), new AvgPool2d(2, 2, 0),
                new Flatten(), new Linear(400, 120), new BatchNorm1d(120), new Sigmoid(),
                new Linear(120, 84), new BatchNorm1d(84), new Sigmoid(), new Linear(84, 10));
    }

    double train() {
        opt.zeroGrad();
        Tensor loss = Functional.crossEntropy(net.call(x), y);
        loss.backward();
        opt.step();
        return loss.item();
    }
}

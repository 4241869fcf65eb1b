package dev.nn4j.bench;

import dev.nn4j.core.NoGrad;
import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Functional;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;
import dev.nn4j.optim.SGD;

/** The nn4j program a PyTorch user would write: Sequential, mse_loss, backward, SGD. */
final class Nn4jStep {
    final Sequential net = new Sequential();
    final Tensor x;
    final Tensor y;
    final SGD opt;

    Nn4jStep(Sizes s) {
        Rng.manualSeed(0);
        for (int i = 0; i + 1 < s.dims.length; i++) {
            net.add(new Linear(s.dims[i], s.dims[i + 1]));
            if (i + 2 < s.dims.length) {
                net.add(new ReLU());
            }
        }
        x = Tensor.rand(s.batch, s.dims[0]);
        y = Tensor.rand(s.batch, s.dims[s.dims.length - 1]);
        opt = new SGD(net.parameters(), Sizes.LR);
    }

    double train() {
        opt.zeroGrad();
        Tensor loss = Functional.mseLoss(net.call(x), y);
        loss.backward();
        opt.step();
        return loss.item();
    }

    Tensor infer() {
        try (NoGrad g = NoGrad.enter()) {
            return net.call(x);
        }
    }
}

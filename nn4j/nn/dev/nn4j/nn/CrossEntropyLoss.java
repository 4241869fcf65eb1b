package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * Cross entropy of logits {@code [N, C]} against int64 class indices {@code [N]}, averaged over the batch.
 * PyTorch: {@code nn.CrossEntropyLoss()}.
 */
public class CrossEntropyLoss extends Loss {
    @Override
    protected Tensor compute(Tensor input, Tensor target) {
        return Functional.crossEntropy(input, target);
    }
}

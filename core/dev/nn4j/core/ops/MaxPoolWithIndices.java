package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Pooling;
import dev.nn4j.core.kernel.Storage;

/**
 * 2-D max pooling over {@code [N, C, H, W]}; the backward routes each gradient to its window's maximum, found in
 * the forward. Named after PyTorch's backward node ({@code MaxPool2DWithIndicesBackward}); the module is
 * {@code nn.MaxPool2d}.
 */
public final class MaxPoolWithIndices extends Node {
    private final long[] inputShape;
    /** Each output's maximum as a flat position in its input plane: the op's own, derived in the forward. */
    private final int[] argmax;

    private MaxPoolWithIndices(long[] inputShape, int[] argmax) {
        this.inputShape = inputShape;
        this.argmax = argmax;
    }

    /** PyTorch: {@code F.max_pool2d(x, kernel, stride, padding)}. */
    public static Tensor apply(Tensor x, int kernel, int stride, int padding) {
        PoolArgs.check("max_pool2d", x, kernel, stride, padding);
        long[] s = x.shape();
        int[] argmax = new int[(int) (s[0] * s[1]) * Pooling.outSize((int) s[2], kernel, stride, padding)
                * Pooling.outSize((int) s[3], kernel, stride, padding)];
        Storage y = Pooling.maxPool(storage(x), kernel, stride, padding, argmax);
        return record(new MaxPoolWithIndices(s, argmax), y, x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Pooling.maxPoolBackward(g, argmax, inputShape)};
    }

    @Override
    public String name() {
        return "MaxPool2DWithIndicesBackward";
    }
}

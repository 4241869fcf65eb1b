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
    /** Index of the saved positions of the maxima (see {@link #saved}). */
    private int argmax;

    private MaxPoolWithIndices(long[] inputShape) {
        this.inputShape = inputShape;
    }

    /** PyTorch: {@code F.max_pool2d(x, kernel, stride, padding)}. */
    public static Tensor apply(Tensor x, int kernel, int stride, int padding) {
        return apply(x, kernel, stride, padding, false);
    }

    /** PyTorch: {@code F.max_pool2d(x, kernel, stride, padding, ceil_mode=ceil)}. */
    public static Tensor apply(Tensor x, int kernel, int stride, int padding, boolean ceil) {
        PoolArgs.check("max_pool2d", x, kernel, stride, padding, ceil);
        Storage[] r = Pooling.maxPool(storage(x), kernel, stride, padding, ceil);
        MaxPoolWithIndices fn = new MaxPoolWithIndices(x.shape());
        if (recording(x)) {
            fn.argmax = fn.save(r[1]);
        }
        return record(fn, r[0], x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Pooling.maxPoolBackward(g, saved(argmax), inputShape)};
    }

    @Override
    public String name() {
        return "MaxPool2DWithIndicesBackward";
    }
}

package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Pooling;
import dev.nn4j.core.kernel.Storage;

/**
 * 2-D average pooling over {@code [N, C, H, W]}, PyTorch's {@code count_include_pad=True} divisor by default;
 * the backward spreads each gradient evenly over its window. The module is {@code nn.AvgPool2d}.
 */
public final class AvgPool extends Node {
    private final long[] inputShape;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceil;
    private final boolean countIncludePad;

    private AvgPool(long[] inputShape, int kernel, int stride, int padding, boolean ceil, boolean countIncludePad) {
        this.inputShape = inputShape;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceil = ceil;
        this.countIncludePad = countIncludePad;
    }

    /** PyTorch: {@code F.avg_pool2d(x, kernel, stride, padding, count_include_pad=countIncludePad)}. */
    public static Tensor apply(Tensor x, int kernel, int stride, int padding, boolean countIncludePad) {
        return apply(x, kernel, stride, padding, false, countIncludePad);
    }

    /**
     * PyTorch: {@code F.avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad)}; a last partial
     * window (ceil mode) divides by its part inside the padded input, or inside the input without
     * {@code countIncludePad}.
     */
    public static Tensor apply(Tensor x, int kernel, int stride, int padding, boolean ceil, boolean countIncludePad) {
        PoolArgs.check("avg_pool2d", x, kernel, stride, padding, ceil);
        Storage y = Pooling.avgPool(storage(x), kernel, stride, padding, ceil, countIncludePad);
        return record(new AvgPool(x.shape(), kernel, stride, padding, ceil, countIncludePad), y, x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Pooling.avgPoolBackward(g, inputShape, kernel, stride, padding, ceil,
                countIncludePad)};
    }

    @Override
    public String name() {
        return "AvgPool2DBackward";
    }
}

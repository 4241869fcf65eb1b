package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Pooling;
import dev.nn4j.core.kernel.Storage;

/**
 * 2-D adaptive average pooling to a fixed output size: output cell {@code o} averages input rows
 * {@code [floor(o H / oh), ceil((o + 1) H / oh))} (and likewise columns). The module is {@code nn.AdaptiveAvgPool2d}.
 */
public final class AdaptiveAvgPool extends Node {
    private final long[] inputShape;

    private AdaptiveAvgPool(long[] inputShape) {
        this.inputShape = inputShape;
    }

    /** PyTorch: {@code F.adaptive_avg_pool2d(x, (oh, ow))}. */
    public static Tensor apply(Tensor x, long oh, long ow) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException("adaptive_avg_pool2d: expected 4-D input [N, C, H, W], got shape "
                    + Shapes.str(x.shape()));
        }
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("adaptive_avg_pool2d: output size must be positive, got (" + oh + ", "
                    + ow + ")");
        }
        if (!x.dtype().isFPType()) {
            throw new IllegalArgumentException("adaptive_avg_pool2d: expected a floating input, got " + x.dtype());
        }
        Storage y = Pooling.adaptiveAvgPool(storage(x), (int) oh, (int) ow);
        return record(new AdaptiveAvgPool(x.shape()), y, x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Pooling.adaptiveAvgPoolBackward(g, inputShape)};
    }

    @Override
    public String name() {
        return "AdaptiveAvgPool2DBackward";
    }
}

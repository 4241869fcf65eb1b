package dev.nn4j.core.ops;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;

/** The checks every 2-D pooling op makes of its input and window, with PyTorch's wording. */
final class PoolArgs {
    private PoolArgs() {
    }

    static void check(String op, Tensor x, int kernel, int stride, int padding, boolean ceil) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException(op + ": expected 4-D input [N, C, H, W], got shape "
                    + Shapes.str(x.shape()) + (x.dim() == 3 ? " (a single sample: unsqueeze(0) adds the batch "
                    + "dimension)" : ""));
        }
        if (!x.dtype().isFPType()) {
            throw new IllegalArgumentException(op + ": expected a floating input, got " + x.dtype());
        }
        if (kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException(op + ": expected kernel_size >= 1, stride >= 1 and padding >= 0, got "
                    + "kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding);
        }
        if (padding > kernel / 2) {
            throw new IllegalArgumentException(op + ": pad should be at most half of effective kernel size, but got "
                    + "pad=" + padding + ", kernel_size=" + kernel + " (input shape " + Shapes.str(x.shape()) + ")");
        }
        long h = x.size(2);
        long w = x.size(3);
        int oh = dev.nn4j.core.kernel.Pooling.outSize((int) h, kernel, stride, padding, ceil);
        int ow = dev.nn4j.core.kernel.Pooling.outSize((int) w, kernel, stride, padding, ceil);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": Given input size: (" + x.size(1) + "x" + h + "x" + w
                    + "). Calculated output size: (" + x.size(1) + "x" + oh + "x" + ow + "). Output size is too "
                    + "small (kernel_size=" + kernel + ", padding=" + padding + ")");
        }
    }
}

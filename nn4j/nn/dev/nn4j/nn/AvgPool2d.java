package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * 2-D average pooling over {@code [N, C, H, W]} with square windows; padding counts in the divisor unless
 * {@code countIncludePad} is false ({@code count_include_pad=True}, PyTorch's default).
 *
 * <p>PyTorch: {@code nn.AvgPool2d(kernel_size, stride=kernel_size, padding=0, ceil_mode=False,
 * count_include_pad=True)}.
 */
public class AvgPool2d extends Module {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    /** Non-overlapping windows. PyTorch: {@code nn.AvgPool2d(k)}. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** PyTorch: {@code nn.AvgPool2d(k, stride, padding)}. */
    public AvgPool2d(int kernel, int stride, int padding) {
        this(kernel, stride, padding, false, true);
    }

    /** PyTorch: {@code nn.AvgPool2d(k, stride, padding, ceil_mode=ceilMode, count_include_pad=countIncludePad)}. */
    public AvgPool2d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    public String extraRepr() {
        return "kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding;
    }
}

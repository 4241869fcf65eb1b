package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * 2-D average pooling over {@code [N, C, H, W]} with square windows; padding counts in the divisor
 * ({@code count_include_pad=True}, PyTorch's default).
 *
 * <p>PyTorch: {@code nn.AvgPool2d(kernel_size, stride=kernel_size, padding=0)}.
 */
public class AvgPool2d extends Module {
    private final int kernel;
    private final int stride;
    private final int padding;

    /** Non-overlapping windows. PyTorch: {@code nn.AvgPool2d(k)}. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** PyTorch: {@code nn.AvgPool2d(k, stride, padding)}. */
    public AvgPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.avgPool2d(x, kernel, stride, padding);
    }

    @Override
    public String extraRepr() {
        return "kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding;
    }
}

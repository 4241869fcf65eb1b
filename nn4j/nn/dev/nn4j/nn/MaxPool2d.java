package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * 2-D max pooling over {@code [N, C, H, W]} with square windows.
 *
 * <p>PyTorch: {@code nn.MaxPool2d(kernel_size, stride=kernel_size, padding=0, ceil_mode=False)}. Output size
 * {@code (H + 2 padding - k) / stride + 1}, rounded up in ceil mode (a last partial window counts if it starts
 * inside the input or its left padding); padding never wins a window.
 */
public class MaxPool2d extends Module {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceilMode;

    /** Non-overlapping windows. PyTorch: {@code nn.MaxPool2d(k)}. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** PyTorch: {@code nn.MaxPool2d(k, stride, padding)}. */
    public MaxPool2d(int kernel, int stride, int padding) {
        this(kernel, stride, padding, false);
    }

    /** PyTorch: {@code nn.MaxPool2d(k, stride, padding, ceil_mode=ceilMode)}. */
    public MaxPool2d(int kernel, int stride, int padding, boolean ceilMode) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.maxPool2d(x, kernel, stride, padding, ceilMode);
    }

    @Override
    public String extraRepr() {
        return "kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding + ", dilation=1, ceil_mode="
                + (ceilMode ? "True" : "False");
    }
}

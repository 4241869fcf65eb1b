package dev.nn4j.nn;

/**
 * A 1-D convolution over {@code [N, C, L]}.
 *
 * <p>PyTorch: {@code nn.Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
 * bias=True)}. Shape: input {@code [N, in, L]}, output {@code [N, out, L']} with
 * {@code L' = (L + 2 padding - dilation (k - 1) - 1) / stride + 1}. Weight {@code [out, in / groups, k]}, PyTorch's
 * initialization.
 * <pre>{@code
 * Conv1d conv = new Conv1d(3, 4, 3);
 * Tensor y = conv.call(Tensor.randn(2, 3, 9));   // [2, 4, 7]
 * }</pre>
 */
public class Conv1d extends ConvNd {
    /** PyTorch: {@code nn.Conv1d(in, out, kernel)}. */
    public Conv1d(long in, long out, int kernel) {
        this(in, out, kernel, 1, 0);
    }

    /** PyTorch: {@code nn.Conv1d(in, out, kernel, stride, padding)}. */
    public Conv1d(long in, long out, int kernel, int stride, int padding) {
        super(1, in, out, kernel, stride, padding, 1, 1, true, null, null);
    }

    private Conv1d(Builder b) {
        super(1, b.in, b.out, b.kernel, b.stride, named(b), b.dilation, b.groups, b.bias, null, null);
        this.paddingMode = b.paddingMode;
        this.paddingName = b.paddingName;
    }

    /** Every option: {@code Conv1d.builder(in, out, kernel).stride(2).padding(1).bias(false).build()}. */
    public static Builder builder(long in, long out, int kernel) {
        return new Builder(in, out, kernel);
    }

    /** Collects a {@link Conv1d}'s options. */
    public static final class Builder extends Options<Builder> {
        Builder(long in, long out, int kernel) {
            super(in, out, new int[] {kernel});
        }

        /** The layer. */
        public Conv1d build() {
            return new Conv1d(this);
        }
    }
}

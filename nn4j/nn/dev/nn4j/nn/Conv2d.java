package dev.nn4j.nn;

/**
 * A 2-D convolution over {@code [N, C, H, W]} with square kernels.
 *
 * <p>PyTorch: {@code nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
 * bias=True)}. Shape: input {@code [N, in, H, W]}, output {@code [N, out, H', W']} with
 * {@code H' = (H + 2 padding - dilation (k - 1) - 1) / stride + 1}. Weight {@code [out, in / groups, k, k]} and bias
 * {@code [out]} start as U(-1/sqrt(fan_in), 1/sqrt(fan_in)), {@code fan_in = in / groups * k * k}, as PyTorch's.
 * <pre>{@code
 * Conv2d conv = Conv2d.builder(3, 16, 3).padding(1).build();
 * Tensor y = conv.call(Tensor.randn(8, 3, 32, 32));   // [8, 16, 32, 32]
 * }</pre>
 */
public class Conv2d extends ConvNd {
    /** PyTorch: {@code nn.Conv2d(in, out, kernel)}. */
    public Conv2d(long in, long out, int kernel) {
        this(in, out, kernel, 1, 0);
    }

    /** PyTorch: {@code nn.Conv2d(in, out, kernel, stride, padding)}. */
    public Conv2d(long in, long out, int kernel, int stride, int padding) {
        super(2, in, out, kernel, stride, padding, 1, 1, true, null, null);
    }

    private Conv2d(Builder b) {
        super(2, b.in, b.out, b.kernel, b.stride, named(b), b.dilation, b.groups, b.bias, null, null);
        this.paddingMode = b.paddingMode;
        this.paddingName = b.paddingName;
    }

    /** For {@link LazyConv2d}: parameters registered as placeholders, shaped at the first call. */
    Conv2d(long out, int kernel, int stride, int padding, Parameter weight, Parameter bias) {
        super(2, 0, out, kernel, stride, padding, 1, 1, true, weight, bias);
    }

    /** Every option: {@code Conv2d.builder(in, out, kernel).stride(2).padding(1).groups(2).bias(false).build()}. */
    public static Builder builder(long in, long out, int kernel) {
        return new Builder(in, out, kernel, kernel);
    }

    /**
     * A {@code kh x kw} kernel: {@code Conv2d.builder(in, out, 1, 3).padding(0, 1).build()}.
     * PyTorch: {@code nn.Conv2d(in, out, kernel_size=(kh, kw), ...)}.
     */
    public static Builder builder(long in, long out, int kh, int kw) {
        return new Builder(in, out, kh, kw);
    }

    /** Collects a {@link Conv2d}'s options; each per-dimension option also takes height and width apart. */
    public static final class Builder extends Options<Builder> {
        Builder(long in, long out, int kh, int kw) {
            super(in, out, new int[] {kh, kw});
        }

        /** The step between windows, down and across. PyTorch: {@code stride=(sh, sw)}. */
        public Builder stride(int sh, int sw) {
            stride[0] = sh;
            stride[1] = sw;
            return this;
        }

        /** Zeros added above and below, and left and right. PyTorch: {@code padding=(ph, pw)}. */
        public Builder padding(int ph, int pw) {
            padding[0] = ph;
            padding[1] = pw;
            paddingName = null;
            return this;
        }

        /** The spacing between kernel elements, down and across. PyTorch: {@code dilation=(dh, dw)}. */
        public Builder dilation(int dh, int dw) {
            dilation[0] = dh;
            dilation[1] = dw;
            return this;
        }

        /** The layer. */
        public Conv2d build() {
            return new Conv2d(this);
        }
    }
}

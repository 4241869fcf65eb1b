package dev.nn4j.nn;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;

/**
 * 2-D transposed convolution ("deconvolution"), the upsampling layer of decoders, U-Nets and GANs.
 *
 * <p>PyTorch: {@code nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1, padding=0,
 * output_padding=0, groups=1, bias=True, dilation=1)}, with its parameters ({@code weight}
 * {@code [in, out / groups, kh, kw]}, {@code bias} {@code [out]}), initialization (U(-1/sqrt(fan_in),
 * 1/sqrt(fan_in)), fan_in = out / groups x kh x kw, the weight's second dimension as PyTorch computes it) and
 * printed form. Output size per dimension: {@code (H - 1) stride - 2 padding + dilation (k - 1) + output_padding
 * + 1}.
 * <pre>{@code
 * ConvTranspose2d up = ConvTranspose2d.builder(64, 32, 2).stride(2).build();   // doubles height and width
 * }</pre>
 */
public class ConvTranspose2d extends Module {
    private final long inChannels;
    private final long outChannels;
    private final int[] kernelSize;
    private final int[] stride;
    private final int[] padding;
    private final int[] outputPadding;
    private final int[] dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    /** PyTorch: {@code nn.ConvTranspose2d(in, out, kernel)}. */
    public ConvTranspose2d(long in, long out, int kernel) {
        this(builder(in, out, kernel));
    }

    /** PyTorch: {@code nn.ConvTranspose2d(in, out, kernel, stride, padding, output_padding)}. */
    public ConvTranspose2d(long in, long out, int kernel, int stride, int padding, int outputPadding) {
        this(builder(in, out, kernel).stride(stride).padding(padding).outputPadding(outputPadding));
    }

    private ConvTranspose2d(Builder b) {
        boolean bad = b.in < 1 || b.out < 1 || b.groups < 1;
        for (int d = 0; d < 2; d++) {
            bad |= b.kernel[d] < 1 || b.stride[d] < 1 || b.padding[d] < 0 || b.outputPadding[d] < 0
                    || b.dilation[d] < 1;
        }
        if (bad) {
            throw new IllegalArgumentException("ConvTranspose2d: expected in_channels, out_channels, kernel_size, "
                    + "stride, dilation and groups >= 1 and padding, output_padding >= 0, got " + b.in + ", " + b.out
                    + ", kernel_size=" + tuple(b.kernel) + ", stride=" + tuple(b.stride) + ", padding="
                    + tuple(b.padding) + ", output_padding=" + tuple(b.outputPadding) + ", dilation="
                    + tuple(b.dilation) + ", groups=" + b.groups);
        }
        if (b.in % b.groups != 0 || b.out % b.groups != 0) {
            throw new IllegalArgumentException("ConvTranspose2d: in_channels and out_channels must be divisible by "
                    + "groups (in_channels=" + b.in + ", out_channels=" + b.out + ", groups=" + b.groups + ")");
        }
        for (int d = 0; d < 2; d++) {
            if (b.outputPadding[d] >= b.stride[d] && b.outputPadding[d] >= b.dilation[d]) {
                throw new IllegalArgumentException("ConvTranspose2d: output padding must be smaller than either "
                        + "stride or dilation, got output_padding=" + tuple(b.outputPadding) + ", stride="
                        + tuple(b.stride) + ", dilation=" + tuple(b.dilation));
            }
        }
        this.inChannels = b.in;
        this.outChannels = b.out;
        this.kernelSize = b.kernel.clone();
        this.stride = b.stride.clone();
        this.padding = b.padding.clone();
        this.outputPadding = b.outputPadding.clone();
        this.dilation = b.dilation.clone();
        this.groups = b.groups;
        this.weight = registerParameter("weight", new Parameter(Tensor.zeros(b.in, b.out / b.groups, b.kernel[0],
                b.kernel[1])));
        this.bias = b.bias ? registerParameter("bias", new Parameter(Tensor.zeros(b.out))) : null;
        resetParameters();
    }

    /** Every option: {@code ConvTranspose2d.builder(in, out, kernel).stride(2).padding(1).outputPadding(1).build()}. */
    public static Builder builder(long in, long out, int kernel) {
        return new Builder(in, out, kernel, kernel);
    }

    /** A {@code kh x kw} kernel. PyTorch: {@code nn.ConvTranspose2d(in, out, kernel_size=(kh, kw), ...)}. */
    public static Builder builder(long in, long out, int kh, int kw) {
        return new Builder(in, out, kh, kw);
    }

    /**
     * Re-draws weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = out / groups x kh x kw.
     * PyTorch: {@code reset_parameters()}.
     */
    public void resetParameters() {
        ConvNd.resetUniform(weight, bias, outChannels / groups * kernelSize[0] * kernelSize[1]);
    }

    /** The filters, {@code [in, out / groups, kh, kw]}. PyTorch: {@code conv.weight}. */
    public Parameter weight() {
        return weight;
    }

    /** The bias, {@code [out]}, or null when built without one. PyTorch: {@code conv.bias}. */
    public Parameter bias() {
        return bias;
    }

    @Override
    protected void prepare(Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException("expected 4-D input [N, C, H, W], got input of shape "
                    + Shapes.str(x.shape()) + (x.dim() == 3 ? " (a single sample: unsqueeze(0) adds the batch "
                    + "dimension)" : ""));
        }
        if (x.size(1) != inChannels) {
            throw new IllegalArgumentException("expected input" + Shapes.str(x.shape()) + " to have " + inChannels
                    + " channels, but got " + x.size(1) + " channels instead (weight of size "
                    + Shapes.str(weight.shape()) + ")");
        }
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.convTranspose2d(x, weight, bias, stride, padding, outputPadding, groups, dilation);
    }

    private static String tuple(int[] v) {
        return ConvNd.tuple(2, v);
    }

    private static boolean all(int[] v, int value) {
        return ConvNd.all(v, value);
    }

    @Override
    public String extraRepr() {
        StringBuilder s = new StringBuilder();
        s.append(inChannels).append(", ").append(outChannels).append(", kernel_size=").append(tuple(kernelSize))
                .append(", stride=").append(tuple(stride));
        if (!all(padding, 0)) {
            s.append(", padding=").append(tuple(padding));
        }
        if (!all(dilation, 1)) {
            s.append(", dilation=").append(tuple(dilation));
        }
        if (!all(outputPadding, 0)) {
            s.append(", output_padding=").append(tuple(outputPadding));
        }
        if (groups != 1) {
            s.append(", groups=").append(groups);
        }
        if (bias == null) {
            s.append(", bias=False");
        }
        return s.toString();
    }

    /** Collects a {@link ConvTranspose2d}'s options; each per-dimension option also takes height and width apart. */
    public static final class Builder {
        private final long in;
        private final long out;
        private final int[] kernel;
        private final int[] stride = {1, 1};
        private final int[] padding = {0, 0};
        private final int[] outputPadding = {0, 0};
        private final int[] dilation = {1, 1};
        private int groups = 1;
        private boolean bias = true;

        Builder(long in, long out, int kh, int kw) {
            this.in = in;
            this.out = out;
            this.kernel = new int[] {kh, kw};
        }

        /** The step between input positions in the output (default 1): the upsampling factor. */
        public Builder stride(int s) {
            return stride(s, s);
        }

        /** {@link #stride(int)} down and across. */
        public Builder stride(int sh, int sw) {
            stride[0] = sh;
            stride[1] = sw;
            return this;
        }

        /** Rows and columns taken off each side of the output (default 0). */
        public Builder padding(int p) {
            return padding(p, p);
        }

        /** {@link #padding(int)} above and below, left and right. */
        public Builder padding(int ph, int pw) {
            padding[0] = ph;
            padding[1] = pw;
            return this;
        }

        /** Rows and columns added at the bottom and right of the output (default 0; less than stride or dilation). */
        public Builder outputPadding(int p) {
            return outputPadding(p, p);
        }

        /** {@link #outputPadding(int)} at the bottom and right. */
        public Builder outputPadding(int ph, int pw) {
            outputPadding[0] = ph;
            outputPadding[1] = pw;
            return this;
        }

        /** The spacing between kernel elements (default 1). */
        public Builder dilation(int d) {
            return dilation(d, d);
        }

        /** {@link #dilation(int)} down and across. */
        public Builder dilation(int dh, int dw) {
            dilation[0] = dh;
            dilation[1] = dw;
            return this;
        }

        /** Channel groups, each with its own filters (default 1). */
        public Builder groups(int g) {
            this.groups = g;
            return this;
        }

        /** Whether to learn a bias (default true). */
        public Builder bias(boolean b) {
            this.bias = b;
            return this;
        }

        /** The layer. */
        public ConvTranspose2d build() {
            return new ConvTranspose2d(this);
        }
    }
}

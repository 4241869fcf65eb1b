package dev.nn4j.nn;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.init.Init;
import java.util.Arrays;

/**
 * What {@link Conv1d} and {@link Conv2d} share: the options, the parameters and their PyTorch initialization,
 * the input checks and the printed form. PyTorch: {@code torch.nn.modules.conv._ConvNd}.
 */
abstract class ConvNd extends Module {
    final int dims;
    long inChannels;
    final long outChannels;
    final int kernelSize;
    final int stride;
    final int padding;
    final int dilation;
    final int groups;
    final Parameter weight;
    final Parameter bias;

    ConvNd(int dims, long inChannels, long outChannels, int kernelSize, int stride, int padding, int dilation,
           int groups, boolean bias, Parameter weight, Parameter biasParam) {
        String name = "Conv" + dims + "d";
        if (inChannels < 0 || outChannels < 1 || kernelSize < 1 || stride < 1 || padding < 0 || dilation < 1
                || groups < 1) {
            throw new IllegalArgumentException(name + ": expected in_channels >= 0, out_channels, kernel_size, stride "
                    + "and dilation >= 1, padding >= 0 and groups >= 1, got in_channels=" + inChannels
                    + ", out_channels=" + outChannels + ", kernel_size=" + kernelSize + ", stride=" + stride
                    + ", padding=" + padding + ", dilation=" + dilation + ", groups=" + groups);
        }
        if (inChannels % groups != 0) {
            throw new IllegalArgumentException(name + ": in_channels must be divisible by groups (in_channels="
                    + inChannels + ", groups=" + groups + ")");
        }
        if (outChannels % groups != 0) {
            throw new IllegalArgumentException(name + ": out_channels must be divisible by groups (out_channels="
                    + outChannels + ", groups=" + groups + ")");
        }
        this.dims = dims;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        this.weight = registerParameter("weight", weight != null ? weight
                : new Parameter(Tensor.zeros(weightShape(inChannels))));
        this.bias = bias ? registerParameter("bias", biasParam != null ? biasParam
                : new Parameter(Tensor.zeros(outChannels))) : null;
        if (weight == null) {
            resetParameters();
        }
    }

    /** {@code [out, in / groups, k...]} for {@code in} input channels. */
    final long[] weightShape(long in) {
        long[] s = new long[dims + 2];
        Arrays.fill(s, kernelSize);
        s[0] = outChannels;
        s[1] = in / groups;
        return s;
    }

    /**
     * Re-draws weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in/groups x kernel positions.
     * PyTorch: {@code reset_parameters()} ({@code kaiming_uniform_(a=sqrt(5))} on the weight, which is that
     * bound, and the same bound for the bias).
     */
    public void resetParameters() {
        long fanIn = inChannels / groups * (long) Math.pow(kernelSize, dims);
        double bound = fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0;
        Init.uniform(weight, -bound, bound);
        if (bias != null) {
            Init.uniform(bias, -bound, bound);
        }
    }

    /** The filters, {@code [out, in / groups, k...]}. PyTorch: {@code conv.weight}. */
    public Parameter weight() {
        return weight;
    }

    /** The bias, {@code [out]}, or null when built without one. PyTorch: {@code conv.bias}. */
    public Parameter bias() {
        return bias;
    }

    /** PyTorch: {@code conv.in_channels}. */
    public long inChannels() {
        return inChannels;
    }

    /** PyTorch: {@code conv.out_channels}. */
    public long outChannels() {
        return outChannels;
    }

    @Override
    protected void prepare(Tensor x) {
        String layout = dims == 2 ? "[N, C, H, W]" : "[N, C, L]";
        if (x.dim() != dims + 2) {
            throw new IllegalArgumentException("expected " + (dims + 2) + "-D input " + layout + ", got input of shape "
                    + Shapes.str(x.shape()) + (x.dim() == dims + 1 ? " (a single sample: unsqueeze(0) adds the "
                    + "batch dimension)" : ""));
        }
        if (x.size(1) != inChannels) {
            throw new IllegalArgumentException("expected input" + Shapes.str(x.shape()) + " to have " + inChannels
                    + " channels, but got " + x.size(1) + " channels instead (weight of size "
                    + Shapes.str(weightShape(inChannels)) + ")");
        }
    }

    @Override
    protected Tensor forward(Tensor x) {
        return dims == 2 ? Functional.conv2d(x, weight, bias, stride, padding, dilation, groups)
                : Functional.conv1d(x, weight, bias, stride, padding, dilation, groups);
    }

    /** {@code (v, v)} or {@code (v,)}: how PyTorch prints a per-dimension option. */
    private String tuple(int v) {
        return dims == 1 ? "(" + v + ",)" : "(" + v + ", " + v + ")";
    }

    @Override
    public String extraRepr() {
        StringBuilder s = new StringBuilder();
        s.append(inChannels).append(", ").append(outChannels).append(", kernel_size=").append(tuple(kernelSize))
                .append(", stride=").append(tuple(stride));
        if (padding != 0) {
            s.append(", padding=").append(tuple(padding));
        }
        if (dilation != 1) {
            s.append(", dilation=").append(tuple(dilation));
        }
        if (groups != 1) {
            s.append(", groups=").append(groups);
        }
        if (bias == null) {
            s.append(", bias=False");
        }
        return s.toString();
    }

    /** The options a convolution's builder collects. */
    abstract static class Options<B extends Options<B>> {
        final long in;
        final long out;
        final int kernel;
        int stride = 1;
        int padding;
        int dilation = 1;
        int groups = 1;
        boolean bias = true;

        Options(long in, long out, int kernel) {
            this.in = in;
            this.out = out;
            this.kernel = kernel;
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** The step between windows (default 1). */
        public B stride(int s) {
            this.stride = s;
            return self();
        }

        /** Zeros added on every side (default 0). */
        public B padding(int p) {
            this.padding = p;
            return self();
        }

        /** The spacing between kernel elements (default 1). */
        public B dilation(int d) {
            this.dilation = d;
            return self();
        }

        /** Channel groups, each with its own filters (default 1; {@code in} for depthwise). */
        public B groups(int g) {
            this.groups = g;
            return self();
        }

        /** Whether to learn a bias (default true). */
        public B bias(boolean b) {
            this.bias = b;
            return self();
        }
    }
}

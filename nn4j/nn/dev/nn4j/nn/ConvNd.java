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
    /** Per spatial dimension, height first (one value for Conv1d). */
    final int[] kernelSize;
    final int[] stride;
    final int[] padding;
    final int[] dilation;
    final int groups;
    /** {@code "zeros"}, or the {@code F.pad} mode the input is padded with before an unpadded convolution. */
    String paddingMode = "zeros";
    /** {@code "same"} or {@code "valid"} when the padding was given by name (printed so), else null. */
    String paddingName;
    final Parameter weight;
    final Parameter bias;

    ConvNd(int dims, long inChannels, long outChannels, int kernelSize, int stride, int padding, int dilation,
           int groups, boolean bias, Parameter weight, Parameter biasParam) {
        this(dims, inChannels, outChannels, fill(dims, kernelSize), fill(dims, stride), fill(dims, padding),
                fill(dims, dilation), groups, bias, weight, biasParam);
    }

    ConvNd(int dims, long inChannels, long outChannels, int[] kernelSize, int[] stride, int[] padding,
           int[] dilation, int groups, boolean bias, Parameter weight, Parameter biasParam) {
        String name = "Conv" + dims + "d";
        boolean bad = inChannels < 0 || outChannels < 1 || groups < 1;
        for (int d = 0; d < dims; d++) {
            bad |= kernelSize[d] < 1 || stride[d] < 1 || padding[d] < 0 || dilation[d] < 1;
        }
        if (bad) {
            throw new IllegalArgumentException(name + ": expected in_channels >= 0, out_channels, kernel_size, stride "
                    + "and dilation >= 1, padding >= 0 and groups >= 1, got in_channels=" + inChannels
                    + ", out_channels=" + outChannels + ", kernel_size=" + tuple(dims, kernelSize) + ", stride="
                    + tuple(dims, stride) + ", padding=" + tuple(dims, padding) + ", dilation="
                    + tuple(dims, dilation) + ", groups=" + groups);
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
        this.kernelSize = kernelSize.clone(); // a builder may be changed and built again
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        this.weight = registerParameter("weight", weight != null ? weight
                : new Parameter(Tensor.zeros(weightShape(inChannels))));
        this.bias = bias ? registerParameter("bias", biasParam != null ? biasParam
                : new Parameter(Tensor.zeros(outChannels))) : null;
        if (weight == null) {
            resetParameters();
        }
    }

    /**
     * The symmetric padding of the builder's options: as given, 0 for {@code "valid"}, and for {@code "same"} half
     * the window's span, rounded down (the odd extra goes after the input, see {@link #sameExtra}).
     *
     * @throws IllegalArgumentException for {@code "same"} with a stride other than 1, as PyTorch
     */
    static int[] named(Options<?> b) {
        if (b.paddingName == null) {
            return b.padding;
        }
        int[] p = new int[b.kernel.length];
        if (b.paddingName.equals("same")) {
            for (int d = 0; d < p.length; d++) {
                if (b.stride[d] != 1) {
                    throw new IllegalArgumentException("padding='same' is not supported for strided convolutions");
                }
                p[d] = b.dilation[d] * (b.kernel[d] - 1) / 2;
            }
        }
        return p;
    }

    /** {@code v} for every spatial dimension. */
    static int[] fill(int dims, int v) {
        int[] a = new int[dims];
        Arrays.fill(a, v);
        return a;
    }

    /** {@code [out, in / groups, k...]} for {@code in} input channels. */
    final long[] weightShape(long in) {
        long[] s = new long[dims + 2];
        s[0] = outChannels;
        s[1] = in / groups;
        for (int d = 0; d < dims; d++) {
            s[d + 2] = kernelSize[d];
        }
        return s;
    }

    /**
     * Re-draws weight and bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in/groups x kernel positions.
     * PyTorch: {@code reset_parameters()} ({@code kaiming_uniform_(a=sqrt(5))} on the weight, which is that
     * bound, and the same bound for the bias).
     */
    public void resetParameters() {
        long fanIn = inChannels / groups;
        for (int k : kernelSize) {
            fanIn *= k;
        }
        resetUniform(weight, bias, fanIn);
    }

    /**
     * Weight and bias (may be null) from U(-1/sqrt(fan_in), 1/sqrt(fan_in)): what PyTorch's
     * {@code kaiming_uniform_(a=sqrt(5))} and its bias rule come to for every convolution.
     */
    static void resetUniform(Parameter weight, Parameter bias, long fanIn) {
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
        int[] pad = padding;
        int[] extra = sameExtra();
        if (!paddingMode.equals("zeros") || extra != null) {
            // PyTorch's way: pad the input in the mode (or with zeros on one side more for an even "same" window),
            // then convolve without padding
            int[] p = new int[2 * dims];
            for (int d = 0; d < dims; d++) {
                int k = dims - 1 - d; // F.pad lists the last dimension first
                p[2 * k] = padding[d];
                p[2 * k + 1] = padding[d] + (extra == null ? 0 : extra[d]);
            }
            x = Functional.pad(x, p, paddingMode.equals("zeros") ? "constant" : paddingMode, 0);
            pad = new int[dims];
        }
        return dims == 2 ? Functional.conv2d(x, weight, bias, stride, pad, dilation, groups)
                : Functional.conv1d(x, weight, bias, stride[0], pad[0], dilation[0], groups);
    }

    /**
     * For {@code "same"}: per dimension, the one extra row or column of padding after the input when the window
     * spans an even number of positions (PyTorch puts the odd one at the end); null when none is needed.
     */
    private int[] sameExtra() {
        if (!"same".equals(paddingName)) {
            return null;
        }
        int[] extra = new int[dims];
        boolean any = false;
        for (int d = 0; d < dims; d++) {
            extra[d] = dilation[d] * (kernelSize[d] - 1) % 2;
            any |= extra[d] != 0;
        }
        return any ? extra : null;
    }

    /** {@code (h, w)} or {@code (v,)}: how PyTorch prints a per-dimension option. */
    static String tuple(int dims, int[] v) {
        return dims == 1 ? "(" + v[0] + ",)" : "(" + v[0] + ", " + v[1] + ")";
    }

    static boolean all(int[] v, int value) {
        for (int x : v) {
            if (x != value) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String extraRepr() {
        StringBuilder s = new StringBuilder();
        s.append(inChannels).append(", ").append(outChannels).append(", kernel_size=")
                .append(tuple(dims, kernelSize)).append(", stride=").append(tuple(dims, stride));
        if (paddingName != null) {
            s.append(", padding=").append(paddingName);
        } else if (!all(padding, 0)) {
            s.append(", padding=").append(tuple(dims, padding));
        }
        if (!all(dilation, 1)) {
            s.append(", dilation=").append(tuple(dims, dilation));
        }
        if (groups != 1) {
            s.append(", groups=").append(groups);
        }
        if (bias == null) {
            s.append(", bias=False");
        }
        if (!paddingMode.equals("zeros")) {
            s.append(", padding_mode=").append(paddingMode);
        }
        return s.toString();
    }

    /** The options a convolution's builder collects. */
    abstract static class Options<B extends Options<B>> {
        final long in;
        final long out;
        /** Per spatial dimension, height first. */
        final int[] kernel;
        final int[] stride;
        final int[] padding;
        final int[] dilation;
        int groups = 1;
        boolean bias = true;
        String paddingMode = "zeros";
        String paddingName;

        Options(long in, long out, int[] kernel) {
            this.in = in;
            this.out = out;
            this.kernel = kernel;
            this.stride = fill(kernel.length, 1);
            this.padding = fill(kernel.length, 0);
            this.dilation = fill(kernel.length, 1);
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** The step between windows (default 1). */
        public B stride(int s) {
            Arrays.fill(stride, s);
            return self();
        }

        /** Zeros added on every side (default 0). */
        public B padding(int p) {
            Arrays.fill(padding, p);
            paddingName = null;
            return self();
        }

        /**
         * Padding by name: {@code "valid"} (none) or {@code "same"} (the output as large as the input; stride 1
         * only; where the window spans an even number of positions the extra row or column goes after the input,
         * as PyTorch puts it). PyTorch: {@code padding="same"}.
         */
        public B padding(String name) {
            if (!name.equals("same") && !name.equals("valid")) {
                throw new IllegalArgumentException("Invalid padding string '" + name + "', should be one of "
                        + "{'valid', 'same'}");
            }
            paddingName = name;
            return self();
        }

        /** The spacing between kernel elements (default 1). */
        public B dilation(int d) {
            Arrays.fill(dilation, d);
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

        /**
         * What the padding holds: {@code "zeros"} (default), {@code "reflect"}, {@code "replicate"} or
         * {@code "circular"} (see {@link Functional#pad}). PyTorch: {@code padding_mode=...}.
         */
        public B paddingMode(String mode) {
            if (!java.util.List.of("zeros", "reflect", "replicate", "circular").contains(mode)) {
                throw new IllegalArgumentException("padding_mode must be one of [zeros, reflect, replicate, "
                        + "circular], but got padding_mode='" + mode + "'");
            }
            this.paddingMode = mode;
            return self();
        }
    }
}

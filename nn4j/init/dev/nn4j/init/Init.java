package dev.nn4j.init;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import java.util.function.DoubleUnaryOperator;

/**
 * Parameter initializers. Each fills its tensor in place through {@code data()} (so it is never recorded and
 * works on parameters that require grad), draws from {@link Rng} (reproducible under {@code Rng.manualSeed}),
 * and returns the tensor.
 *
 * <p>PyTorch: {@code torch.nn.init} ({@code normal_}, {@code xavier_uniform_}, ...).
 * <pre>{@code
 * net.apply(m -> { if (m instanceof Linear l) { Init.normal(l.weight(), 0, 0.01); Init.zeros(l.bias()); } });
 * }</pre>
 */
public final class Init {
    /** Which fan the Kaiming initializers preserve the variance of. */
    public enum FanMode {
        /** Preserve the variance of activations in the forward pass (PyTorch's default). */
        FAN_IN,
        /** Preserve the variance of gradients in the backward pass. */
        FAN_OUT
    }

    private Init() {
    }

    /** Draws from N(mean, std^2). PyTorch: {@code nn.init.normal_(t, mean, std)}. */
    public static Tensor normal(Tensor t, double mean, double std) {
        double[] v = new double[count(t, "normal")];
        Rng.normal(v, mean, std);
        return write(t, v);
    }

    /** Draws from U(a, b). PyTorch: {@code nn.init.uniform_(t, a, b)}. */
    public static Tensor uniform(Tensor t, double a, double b) {
        double[] v = new double[count(t, "uniform")];
        Rng.uniform(v, a, b);
        return write(t, v);
    }

    /** Fills with {@code value}. PyTorch: {@code nn.init.constant_(t, value)}. */
    public static Tensor constant(Tensor t, double value) {
        count(t, "constant");
        t.data().fill(value);
        return t;
    }

    /** Fills with 0. PyTorch: {@code nn.init.zeros_(t)}. */
    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    /** Fills with 1. PyTorch: {@code nn.init.ones_(t)}. */
    public static Tensor ones(Tensor t) {
        return constant(t, 1);
    }

    /**
     * Glorot/Xavier uniform: U(-b, b) with {@code b = gain * sqrt(6 / (fan_in + fan_out))}, so the variance is
     * {@code 2 gain^2 / (fan_in + fan_out)} (Glorot and Bengio, 2010). PyTorch: {@code nn.init.xavier_uniform_(t, gain)}.
     */
    public static Tensor xavierUniform(Tensor t, double gain) {
        long[] fans = fans(t, "xavierUniform");
        double bound = gain * Math.sqrt(6.0 / (fans[0] + fans[1]));
        return uniform(t, -bound, bound);
    }

    /** {@link #xavierUniform(Tensor, double)} with gain 1. */
    public static Tensor xavierUniform(Tensor t) {
        return xavierUniform(t, 1.0);
    }

    /** Glorot/Xavier normal: N(0, std^2), {@code std = gain * sqrt(2 / (fan_in + fan_out))}. PyTorch: {@code nn.init.xavier_normal_(t, gain)}. */
    public static Tensor xavierNormal(Tensor t, double gain) {
        long[] fans = fans(t, "xavierNormal");
        return normal(t, 0, gain * Math.sqrt(2.0 / (fans[0] + fans[1])));
    }

    /** {@link #xavierNormal(Tensor, double)} with gain 1. */
    public static Tensor xavierNormal(Tensor t) {
        return xavierNormal(t, 1.0);
    }

    /**
     * He/Kaiming uniform: U(-b, b) with {@code b = gain * sqrt(3 / fan)} (He et al., 2015).
     * PyTorch: {@code nn.init.kaiming_uniform_(t, a, mode, nonlinearity)}.
     *
     * @param a the negative slope, used when {@code nonlinearity} is {@code "leaky_relu"}
     */
    public static Tensor kaimingUniform(Tensor t, double a, FanMode mode, String nonlinearity) {
        double std = calculateGain(nonlinearity, a) / Math.sqrt(fan(t, mode, "kaimingUniform"));
        double bound = Math.sqrt(3.0) * std;
        return uniform(t, -bound, bound);
    }

    /** PyTorch's defaults: {@code a=0, mode="fan_in", nonlinearity="leaky_relu"}. */
    public static Tensor kaimingUniform(Tensor t) {
        return kaimingUniform(t, 0, FanMode.FAN_IN, "leaky_relu");
    }

    /** He/Kaiming normal: N(0, std^2), {@code std = gain / sqrt(fan)}. PyTorch: {@code nn.init.kaiming_normal_}. */
    public static Tensor kaimingNormal(Tensor t, double a, FanMode mode, String nonlinearity) {
        return normal(t, 0, calculateGain(nonlinearity, a) / Math.sqrt(fan(t, mode, "kaimingNormal")));
    }

    /** PyTorch's defaults: {@code a=0, mode="fan_in", nonlinearity="leaky_relu"}. */
    public static Tensor kaimingNormal(Tensor t) {
        return kaimingNormal(t, 0, FanMode.FAN_IN, "leaky_relu");
    }

    /**
     * Replaces every element {@code w} by {@code fn(w)}: any custom rule. The chapter's example, U(-10, 10) with
     * every |w| &lt; 5 zeroed: {@code Init.map(Init.uniform(w, -10, 10), v -> Math.abs(v) >= 5 ? v : 0)}.
     */
    public static Tensor map(Tensor t, DoubleUnaryOperator fn) {
        count(t, "map");
        double[] v = t.array().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup('c').reshape(-1)
                .toDoubleVector();
        for (int i = 0; i < v.length; i++) {
            v[i] = fn.applyAsDouble(v[i]);
        }
        return write(t, v);
    }

    /** The recommended gain for a nonlinearity. PyTorch: {@code nn.init.calculate_gain(nonlinearity)}. */
    public static double calculateGain(String nonlinearity) {
        return calculateGain(nonlinearity, 0.01);
    }

    /**
     * The recommended gain; {@code param} is leaky_relu's negative slope.
     * PyTorch: {@code nn.init.calculate_gain(nonlinearity, param)}.
     *
     * @throws IllegalArgumentException listing the supported names for an unknown one
     */
    public static double calculateGain(String nonlinearity, double param) {
        switch (nonlinearity == null ? "" : nonlinearity) {
            case "linear": case "conv1d": case "conv2d": case "conv3d": case "conv_transpose1d":
            case "conv_transpose2d": case "conv_transpose3d": case "sigmoid":
                return 1.0;
            case "tanh":
                return 5.0 / 3;
            case "relu":
                return Math.sqrt(2.0);
            case "leaky_relu":
                return Math.sqrt(2.0 / (1 + param * param));
            case "selu":
                return 3.0 / 4;
            default:
                throw new IllegalArgumentException("Unsupported nonlinearity '" + nonlinearity + "'; use one of linear, "
                        + "conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, sigmoid, "
                        + "tanh, relu, leaky_relu, selu");
        }
    }

    /**
     * {@code {fan_in, fan_out}}: {@code size(1) * receptive field} and {@code size(0) * receptive field}.
     * PyTorch: {@code nn.init._calculate_fan_in_and_fan_out}.
     */
    public static long[] fans(Tensor t, String op) {
        if (t.dim() < 2) {
            throw new IllegalArgumentException(op + ": Fan in and fan out can not be computed for tensor with fewer "
                    + "than 2 dimensions (shape " + Shapes.str(t.shape()) + ")");
        }
        long receptive = 1;
        for (int i = 2; i < t.dim(); i++) {
            receptive *= t.shape()[i];
        }
        return new long[] {t.shape()[1] * receptive, t.shape()[0] * receptive};
    }

    private static long fan(Tensor t, FanMode mode, String op) {
        long[] f = fans(t, op);
        long fan = mode == FanMode.FAN_OUT ? f[1] : f[0];
        if (fan == 0) {
            throw new IllegalArgumentException(op + ": cannot initialize a tensor with a zero fan (shape "
                    + Shapes.str(t.shape()) + ")");
        }
        return fan;
    }

    private static int count(Tensor t, String op) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": tensor is null");
        }
        if (!t.dtype().isFPType()) {
            throw new IllegalArgumentException(op + ": expected a floating point tensor, got " + t.dtype());
        }
        return (int) t.numel();
    }

    private static Tensor write(Tensor t, double[] v) {
        if (v.length > 0) {
            t.data().copyFrom(Tensor.of(v, t.shape()).to(t.device()));
        }
        return t;
    }
}

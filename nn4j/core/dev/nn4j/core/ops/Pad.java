package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Padding;
import dev.nn4j.core.kernel.Storage;
import java.util.Arrays;

/**
 * Padding of the last dimensions with a constant, by reflection, by replication or circularly; the backward adds
 * each output gradient to the input element it came from (see {@link Padding}).
 */
public final class Pad extends Node {
    private final long[] inputShape;
    private final int[] pad;
    private final Padding.Mode mode;

    private Pad(long[] inputShape, int[] pad, Padding.Mode mode) {
        this.inputShape = inputShape;
        this.pad = pad;
        this.mode = mode;
    }

    /**
     * PyTorch: {@code F.pad(x, pad, mode, value)}: {@code pad} holds (before, after) pairs from the last dimension
     * backwards; {@code mode} is {@code "constant"} (negative pads crop), {@code "reflect"} (each pad smaller than
     * its dimension), {@code "replicate"} or {@code "circular"} (each pad at most its dimension).
     */
    public static Tensor apply(Tensor x, int[] pad, String mode, double value) {
        if (pad == null || pad.length % 2 != 0 || pad.length / 2 > x.dim()) {
            throw new IllegalArgumentException("pad: padding length must be divisible by 2 and at most twice the "
                    + "input's dimensions, got " + Arrays.toString(pad) + " for input of shape " + Shapes.str(x.shape()));
        }
        Padding.Mode m = switch (mode) {
            case "constant" -> Padding.Mode.CONSTANT;
            case "reflect" -> Padding.Mode.REFLECT;
            case "replicate" -> Padding.Mode.REPLICATE;
            case "circular" -> Padding.Mode.CIRCULAR;
            default -> throw new IllegalArgumentException("pad: unrecognised padding mode " + mode + " (constant, "
                    + "reflect, replicate or circular)");
        };
        if (!x.dtype().isFPType()) {
            throw new IllegalArgumentException("pad: expected a floating input, got " + x.dtype());
        }
        if (m != Padding.Mode.CONSTANT && value != 0) {
            throw new IllegalArgumentException("Padding mode \"" + mode + "\" doesn't take in value argument");
        }
        if (m != Padding.Mode.CONSTANT && (pad.length / 2 > 3 || pad.length / 2 > x.dim() - 1)) {
            throw new IllegalArgumentException("pad: " + mode + " padding pads at most the last 3 dimensions and "
                    + "never the first (batch or channels), got " + pad.length / 2 + " dimensions for input of shape "
                    + Shapes.str(x.shape()));
        }
        long[] s = x.shape();
        for (int k = 0; k < pad.length / 2; k++) {
            long n = s[s.length - 1 - k];
            int before = pad[2 * k];
            int after = pad[2 * k + 1];
            boolean ok = switch (m) {
                case CONSTANT -> n + before + after >= 0;
                case REFLECT -> before >= 0 && after >= 0 && before < n && after < n;
                case REPLICATE -> before >= 0 && after >= 0 && n > 0;
                case CIRCULAR -> before >= 0 && after >= 0 && before <= n && after <= n;
            };
            if (!ok) {
                throw new IllegalArgumentException("pad: padding (" + before + ", " + after + ") of dimension "
                        + (s.length - 1 - k) + " (size " + n + ") is out of range for " + mode + " padding "
                        + (m == Padding.Mode.REFLECT ? "(each side must be smaller than the dimension)"
                        : m == Padding.Mode.CIRCULAR ? "(each side at most the dimension)" : "") + "; input shape "
                        + Shapes.str(s));
            }
        }
        int[] p = pad.clone();
        return record(new Pad(s, p, m), Padding.pad(storage(x), p, m, value), x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Padding.padBackward(g, inputShape, pad, mode)};
    }

    @Override
    public String name() {
        int k = pad.length / 2;
        return switch (mode) {
            case CONSTANT -> "ConstantPadNdBackward";
            case REFLECT -> "ReflectionPad" + k + "DBackward";
            case REPLICATE -> "ReplicationPad" + k + "DBackward";
            case CIRCULAR -> "CircularPadBackward";
        };
    }
}

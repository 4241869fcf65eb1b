package dev.nn4j.nn;

import dev.nn4j.core.Node;
import dev.nn4j.core.Tensor;
import java.util.Map;

/**
 * One row of the op table ({@link Functional#OPS}): a PyTorch fixture case, the op class it exercises, and how to
 * call it. Package-private: the table is for the parity tests and the coverage check.
 *
 * @param fixture the case's name in a {@code *ops_float64.json} fixture
 * @param op the op class ({@code dev.nn4j.core.ops}) whose forward and backward the case checks
 * @param call the op applied to the case's inputs (each requiring grad) and non-differentiable arguments
 * @param kinks whether the function has kinks or ties (ReLU, max, pooling) that a finite difference could
 *     straddle: the gradcheck then moves the inputs away from zero first
 */
record OpCase(String fixture, Class<? extends Node> op, Call call, boolean kinks) {
    /** An op applied to a case's inputs and arguments. */
    @FunctionalInterface
    interface Call {
        /** The op's output for {@code x} (the case's inputs, in order) and {@code a} (its other arguments). */
        Tensor apply(Tensor[] x, Args a);
    }

    static OpCase of(String fixture, Class<? extends Node> op, Call call) {
        return new OpCase(fixture, op, call, false);
    }

    /** A {@code conv2d} fixture case: input, weight and (unless {@code bias} is false) bias, and the options. */
    static Tensor conv2d(Tensor[] x, Args a) {
        return Functional.conv2d(x[0], x[1], a.b("bias") ? x[2] : null, a.i("stride"), a.i("padding"),
                a.i("dilation"), a.i("groups"));
    }

    /** A {@code conv_transpose2d} fixture case: input, weight[, bias] and the options as pairs. */
    static Tensor convTranspose2d(Tensor[] x, Args a) {
        return Functional.convTranspose2d(x[0], x[1], a.b("bias") ? x[2] : null, a.ints("stride"), a.ints("padding"),
                a.ints("output_padding"), a.i("groups"), a.ints("dilation"));
    }

    /** An {@code interpolate} fixture case: the input, the integer factors, the mode and align_corners. */
    static Tensor interpolate(Tensor[] x, Args a) {
        int[] f = a.ints("scale_factor");
        return Functional.interpolate(x[0], f[0], f[1], a.s("mode"), a.b("align_corners"));
    }

    /** A {@code pad} fixture case: the input, the pad list, the mode and the constant. */
    static Tensor pad(Tensor[] x, Args a) {
        return Functional.pad(x[0], a.ints("pad"), a.s("mode"), a.d("value"));
    }

    /** A {@code batch_norm} fixture case: input, weight and bias, the running statistics and the options. */
    static Tensor batchNorm(Tensor[] x, Args a) {
        return Functional.batchNorm(x[0], a.tensor("running_mean"), a.tensor("running_var"), x[1], x[2],
                a.b("training"), a.d("momentum"), a.d("eps"));
    }

    /** This case, marked as having kinks (see {@link #kinks}). */
    OpCase nearKinks() {
        return new OpCase(fixture, op, call, true);
    }

    /**
     * A case's non-differentiable arguments by name, as its fixture records them: numbers, booleans, integer lists
     * and tensors that take no gradient (class indices, running statistics).
     */
    static final class Args {
        private final Map<String, Object> values;

        Args(Map<String, Object> values) {
            this.values = values;
        }

        private Object get(String name) {
            Object v = values.get(name);
            if (v == null) {
                throw new IllegalArgumentException("the fixture case has no argument '" + name + "' (it has "
                        + values.keySet() + ")");
            }
            return v;
        }

        /** An integer argument. */
        int i(String name) {
            return ((Number) get(name)).intValue();
        }

        /** A string argument. */
        String s(String name) {
            return (String) get(name);
        }

        /** A floating-point argument. */
        double d(String name) {
            return ((Number) get(name)).doubleValue();
        }

        /** A boolean argument (a number counts as true unless 0, as Python's bool). */
        boolean b(String name) {
            Object v = get(name);
            return v instanceof Number num ? num.doubleValue() != 0 : (Boolean) v;
        }

        /** A list of integers. */
        long[] longs(String name) {
            return (long[]) get(name);
        }

        /** A list of integers, as ints. */
        int[] ints(String name) {
            return java.util.Arrays.stream(longs(name)).mapToInt(Math::toIntExact).toArray();
        }

        /** A tensor that takes no gradient. */
        Tensor tensor(String name) {
            return (Tensor) get(name);
        }

        /** These arguments with every floating tensor converted to float32. */
        Args inFloat32() {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            values.forEach((k, v) -> out.put(k, v instanceof Tensor t && t.dtype().isFPType()
                    ? t.to(org.nd4j.linalg.api.buffer.DataType.FLOAT) : v));
            return new Args(out);
        }

        /** Whether the case has the argument. */
        boolean has(String name) {
            return values.containsKey(name);
        }
    }
}

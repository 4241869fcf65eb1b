package dev.nn4j.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatMath} on the Vector API (the {@code jdk.incubator.vector} module), the widest lanes this CPU has.
 * Loaded by name only when the module is present. Internal.
 *
 * <p>{@code exp} is Cody and Waite's: {@code x = k ln2 + r} with {@code k} rounded to nearest by the 1.5 * 2^23
 * trick (no float-to-int conversion, which the incubator API of Java 17 does not compile to one instruction),
 * {@code ln2} split in two so that {@code r} is exact, {@code e^r} by Cephes's degree-6 polynomial for
 * {@code expf}, and {@code 2^k} built in the exponent bits. Within 1 ulp of float32 on its normal range; results
 * below float32's smallest normal flush to 0, and above its largest are infinite, as {@code Math.exp} gives.
 * tanh is Cephes's {@code tanhf}: an odd polynomial below 0.625, {@code 1 - 2 / (e^{2|x|} + 1)} above.
 */
final class VectorFloatMath extends FloatMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = 0x4B400000;
    /** Beyond these, exp is infinite or below float32's smallest normal. */
    private static final float EXP_HI = 88.72283935546875f;
    private static final float EXP_LO = -87.33654022216797f;

    @Override
    double expShifted(float[] x, int xo, float shift, float[] y, int yo, int n) {
        int len = S.length();
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (; i <= n - len; i += len) {
            FloatVector e = exp(FloatVector.fromArray(S, x, xo + i).sub(shift));
            e.intoArray(y, yo + i);
            acc = acc.add(e);
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp((double) x[xo + i] - shift);
            y[yo + i] = e;
            sum += e;
        }
        return sum;
    }

    @Override
    void sigmoid(float[] x, int xo, float[] y, int yo, int n) {
        int len = S.length();
        int i = 0;
        for (; i <= n - len; i += len) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector.broadcast(S, 1f).div(exp(v.neg()).add(1f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = (float) Scalar.sigmoid(x[xo + i]);
        }
    }

    @Override
    void tanh(float[] x, int xo, float[] y, int yo, int n) {
        int len = S.length();
        int i = 0;
        for (; i <= n - len; i += len) {
            tanh(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = (float) Scalar.tanh(x[xo + i]);
        }
    }

    static FloatVector exp(FloatVector x) {
        FloatVector v = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = v.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUND));
        FloatVector k = t.sub(ROUND);
        FloatVector r = v.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
        FloatVector p = r.mul(1.9875691500E-4f).add(1.3981999507E-3f);
        p = p.mul(r).add(8.3334519073E-3f);
        p = p.mul(r).add(4.1665795894E-2f);
        p = p.mul(r).add(1.6666665459E-1f);
        p = p.mul(r).add(5.0000001201E-1f);
        p = p.mul(r.mul(r)).add(r).add(1f);
        FloatVector scale = t.reinterpretAsInts().sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        FloatVector e = p.mul(scale);
        // the clamps above keep the exponent bits valid; the true results outside them are these
        e = e.blend(0f, x.lt(EXP_LO));
        e = e.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HI));
        return e.blend(x, x.test(VectorOperators.IS_NAN));
    }

    private static FloatVector tanh(FloatVector x) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector a = x.abs();
        FloatVector large = one.sub(FloatVector.broadcast(S, 2f).div(exp(a.add(a)).add(1f)));
        large = large.blend(large.neg(), x.lt(0f));
        FloatVector z = x.mul(x);
        FloatVector p = z.mul(-5.70498872745E-3f).add(2.06390887954E-2f);
        p = p.mul(z).sub(5.37397155531E-2f);
        p = p.mul(z).add(1.33314422036E-1f);
        p = p.mul(z).sub(3.33332819422E-1f);
        FloatVector small = p.mul(z).mul(x).add(x);
        return small.blend(large, a.compare(VectorOperators.GT, 0.625f));
    }
}

package dev.nn4j.core.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatMath} on the Vector API (the {@code jdk.incubator.vector} module), the widest lanes this CPU has.
 * Loaded by name only when the module is present. Internal.
 *
 * <p>{@code exp} is Cody and Waite's: {@code x = k ln2 + r} with {@code k} rounded to nearest by the 1.5 * 2^23
 * trick (no float-to-int conversion), {@code ln2} split in two so that {@code r} is exact, {@code e^r} by Cephes's
 * degree-6 polynomial for {@code expf}, and {@code 2^k} built in the exponent bits: within 1 ulp of float32.
 * Sigmoid is {@code 1 / (1 + exp(-x))}; tanh is Cephes's {@code tanhf}, within 2 ulp.
 */
final class VectorFloatMath extends FloatMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = 0x4B400000;
    /**
     * The clamps of exp's argument: beyond them exp is infinite, or rounds to 0 (float32's smallest subnormal is
     * e^-103.28); within them {@code k} stays in [-150, 128], which two normal halves of 2^k span.
     */
    private static final float EXP_HI = 89f;
    private static final float EXP_LO = -104f;

    /** Per thread, {@code exp(-2|x|)} for tanh, so that tanh may write over its own input. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    @Override
    double expShifted(float[] x, int xo, float shift, float[] y, int yo, int n) {
        return expAffine(x, xo, 1f, -shift, y, yo, n);
    }

    @Override
    void sigmoid(float[] x, int xo, float[] y, int yo, int n) {
        expAffine(x, xo, -1f, 0f, y, yo, n);
        FloatVector one = FloatVector.broadcast(S, 1f);
        int len = S.length();
        int i = 0;
        for (; i <= n - len; i += len) {
            one.div(FloatVector.fromArray(S, y, yo + i).add(one)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = 1 / (1 + y[yo + i]);
        }
    }

    /**
     * Both halves of each 64-bit draw compared at once as 32-bit lanes, and the comparison made arithmetic (the
     * sign of {@code draw - threshold}, both below 2^31, spread over the lane and masked onto {@code scale}'s
     * bits): no mask or blend in the loop.
     */
    @Override
    void bernoulli(long seed, int threshold, float scale, float[] y, int n) {
        VectorSpecies<Long> ls = LongVector.SPECIES_PREFERRED;
        int len = S.length();
        if (ls.length() * 2 != len) {
            bernoulliFrom(0, seed, threshold, scale, y, n);
            return;
        }
        int pairs = ls.length();
        LongVector z = LongVector.broadcast(ls, seed)
                .add(LongVector.zero(ls).addIndex(1).add(1).mul(GAMMA));
        LongVector step = LongVector.broadcast(ls, pairs * GAMMA);
        int bits = Float.floatToRawIntBits(scale);
        int i = 0;
        for (; i <= n - len; i += len) {
            LongVector m = z.lanewise(VectorOperators.LSHR, 30).lanewise(VectorOperators.XOR, z)
                    .mul(0xbf58476d1ce4e5b9L);
            m = m.lanewise(VectorOperators.LSHR, 27).lanewise(VectorOperators.XOR, m).mul(0x94d049bb133111ebL);
            m = m.lanewise(VectorOperators.LSHR, 31).lanewise(VectorOperators.XOR, m);
            m.reinterpretAsInts().lanewise(VectorOperators.LSHR, 1).sub(threshold)
                    .lanewise(VectorOperators.ASHR, 31).and(bits).reinterpretAsFloats().intoArray(y, i);
            z = z.add(step);
        }
        bernoulliFrom(i, seed, threshold, scale, y, n);
    }

    @Override
    float max(float[] x, int off, int n) {
        int len = S.length();
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        if (n >= len) {
            FloatVector acc = FloatVector.fromArray(S, x, off);
            for (i = len; i <= n - len; i += len) {
                acc = acc.max(FloatVector.fromArray(S, x, off + i));
            }
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }

    @Override
    void scale(float[] y, int off, int n, double s) {
        float f = (float) s;
        int len = S.length();
        int i = 0;
        for (; i <= n - len; i += len) {
            FloatVector.fromArray(S, y, off + i).mul(f).intoArray(y, off + i);
        }
        for (; i < n; i++) {
            y[off + i] = y[off + i] * f;
        }
    }

    @Override
    double dot(float[] a, int ao, float[] b, int bo, int n) {
        int len = S.length();
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (; i <= n - len; i += len) {
            acc = acc.add(FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)));
        }
        double sum = 0;
        for (int k = 0; k < len; k++) {
            sum += acc.lane(k);
        }
        for (; i < n; i++) {
            sum += (double) a[ao + i] * b[bo + i];
        }
        return sum;
    }

    @Override
    void softmaxGrad(float[] g, int go, float[] y, int yo, double c, float[] out, int oo, int n) {
        float f = (float) c;
        int len = S.length();
        int i = 0;
        for (; i <= n - len; i += len) {
            FloatVector.fromArray(S, y, yo + i).mul(FloatVector.fromArray(S, g, go + i).sub(f)).intoArray(out, oo + i);
        }
        for (; i < n; i++) {
            out[oo + i] = y[yo + i] * (g[go + i] - f);
        }
    }

    /** Rows summed in float32 before each addition into double: bounded error, one double pass per block. */
    private static final int SUM_BLOCK = 32;

    /** Per thread, the float32 partial column sums of {@link #addColumnSums}. */
    private static final ThreadLocal<float[]> PARTIAL = ThreadLocal.withInitial(() -> new float[0]);

    @Override
    void addColumnSums(float[] x, int off, int rows, int cols, double[] acc, int ao) {
        float[] part = PARTIAL.get();
        if (part.length < cols) {
            part = new float[cols];
            PARTIAL.set(part);
        }
        int len = S.length();
        for (int r0 = 0; r0 < rows; r0 += SUM_BLOCK) {
            int r1 = Math.min(rows, r0 + SUM_BLOCK);
            java.util.Arrays.fill(part, 0, cols, 0f);
            for (int r = r0; r < r1; r++) {
                int base = off + r * cols;
                int j = 0;
                for (; j <= cols - len; j += len) {
                    FloatVector.fromArray(S, part, j).add(FloatVector.fromArray(S, x, base + j)).intoArray(part, j);
                }
                for (; j < cols; j++) {
                    part[j] += x[base + j];
                }
            }
            for (int j = 0; j < cols; j++) {
                acc[ao + j] += part[j];
            }
        }
    }

    @Override
    void lstmCellRow(float[] x, int xo, float[] y, int yo, float[] cv, int co, float[] act, int ao, float[] out,
                     int oo, int h) {
        int len = S.length();
        int j = 0;
        for (; j <= 4 * h - len; j += len) {
            FloatVector.fromArray(S, x, xo + j).add(FloatVector.fromArray(S, y, yo + j)).intoArray(act, ao + j);
        }
        for (; j < 4 * h; j++) {
            act[ao + j] = x[xo + j] + y[yo + j];
        }
        lstmGates(act, ao, h);
        for (j = 0; j <= h - len; j += len) {
            FloatVector.fromArray(S, act, ao + h + j).mul(FloatVector.fromArray(S, cv, co + j))
                    .add(FloatVector.fromArray(S, act, ao + j).mul(FloatVector.fromArray(S, act, ao + 2 * h + j)))
                    .intoArray(out, oo + h + j);
        }
        for (; j < h; j++) {
            out[oo + h + j] = act[ao + h + j] * cv[co + j] + act[ao + j] * act[ao + 2 * h + j];
        }
        tanh(out, oo + h, act, ao + 4 * h, h);
        for (j = 0; j <= h - len; j += len) {
            FloatVector.fromArray(S, act, ao + 3 * h + j).mul(FloatVector.fromArray(S, act, ao + 4 * h + j))
                    .intoArray(out, oo + j);
        }
        for (; j < h; j++) {
            out[oo + j] = act[ao + 3 * h + j] * act[ao + 4 * h + j];
        }
    }

    @Override
    void lstmCellBackwardRow(float[] gv, int go, float[] carry, int ca, float[] a, int ao, float[] cv, int co,
                             float[] dGates, int dgo, float[] dc, int dco, int h) {
        int len = S.length();
        FloatVector one = FloatVector.broadcast(S, 1f);
        int j = 0;
        for (; j <= h - len; j += len) {
            FloatVector i = FloatVector.fromArray(S, a, ao + j);
            FloatVector f = FloatVector.fromArray(S, a, ao + h + j);
            FloatVector gg = FloatVector.fromArray(S, a, ao + 2 * h + j);
            FloatVector o = FloatVector.fromArray(S, a, ao + 3 * h + j);
            FloatVector th = FloatVector.fromArray(S, a, ao + 4 * h + j);
            FloatVector dh = FloatVector.fromArray(S, gv, go + j);
            FloatVector dcIn = FloatVector.fromArray(S, gv, go + h + j);
            if (carry != null) {
                dh = dh.add(FloatVector.fromArray(S, carry, ca + j));
                dcIn = dcIn.add(FloatVector.fromArray(S, carry, ca + h + j));
            }
            FloatVector dc2 = dcIn.add(dh.mul(o).mul(one.sub(th.mul(th))));
            dc2.mul(gg).mul(i).mul(one.sub(i)).intoArray(dGates, dgo + j);
            dc2.mul(FloatVector.fromArray(S, cv, co + j)).mul(f).mul(one.sub(f)).intoArray(dGates, dgo + h + j);
            dc2.mul(i).mul(one.sub(gg.mul(gg))).intoArray(dGates, dgo + 2 * h + j);
            dh.mul(th).mul(o).mul(one.sub(o)).intoArray(dGates, dgo + 3 * h + j);
            dc2.mul(f).intoArray(dc, dco + j);
        }
        lstmCellBackwardFrom(j, gv, go, carry, ca, a, ao, cv, co, dGates, dgo, dc, dco, h);
    }

    /**
     * Adam in lanes. The weight-decay and lerp forms are fixed for the whole loop; the branches on them are
     * hoisted by C2.
     */
    @Override
    boolean adam(ByteBuffer w, float[] gHeap, ByteBuffer gDirect, ByteBuffer m, ByteBuffer v, int n,
                 OptimizerLoops.AdamCoefficients c) {
        int len = S.length();
        ByteOrder o = ByteOrder.nativeOrder();
        boolean decoupled = c.shrink() != 1f;
        boolean coupled = c.decay() != 0f && !decoupled;
        boolean small = Math.abs(c.w1()) < 0.5f;
        float keep = 1f - c.w1();
        int i = 0;
        for (; i <= n - len; i += len) {
            int at = i * Float.BYTES;
            FloatVector p = FloatVector.fromByteBuffer(S, w, at, o);
            FloatVector g = gHeap != null ? FloatVector.fromArray(S, gHeap, i)
                    : FloatVector.fromByteBuffer(S, gDirect, at, o);
            if (decoupled) {
                p = p.mul(c.shrink());
            } else if (coupled) {
                g = g.add(p.mul(c.decay()));
            }
            FloatVector start = FloatVector.fromByteBuffer(S, m, at, o);
            FloatVector diff = g.sub(start);
            FloatVector mi = small ? start.add(diff.mul(c.w1())) : g.sub(diff.mul(keep));
            FloatVector vi = FloatVector.fromByteBuffer(S, v, at, o).mul(c.b2()).add(g.mul(c.c2()).mul(g));
            FloatVector denom = vi.sqrt().div(c.bc2Sqrt()).add(c.eps());
            mi.intoByteBuffer(m, at, o);
            vi.intoByteBuffer(v, at, o);
            p.add(mi.mul(c.negStep()).div(denom)).intoByteBuffer(w, at, o);
        }
        for (; i < n; i++) {
            int at = i * Float.BYTES;
            float p = w.getFloat(at);
            float g = gHeap != null ? gHeap[i] : gDirect.getFloat(at);
            if (decoupled) {
                p = p * c.shrink();
            } else if (coupled) {
                g = g + c.decay() * p;
            }
            float start = m.getFloat(at);
            float diff = g - start;
            float mi = small ? start + c.w1() * diff : g - diff * keep;
            float vi = v.getFloat(at) * c.b2() + (c.c2() * g) * g;
            float denom = (float) Math.sqrt(vi) / c.bc2Sqrt() + c.eps();
            m.putFloat(at, mi);
            v.putFloat(at, vi);
            w.putFloat(at, p + (c.negStep() * mi) / denom);
        }
        return true;
    }

    /**
     * tanh: {@code sign(x) (1 - s) / (1 + s)} with {@code s = exp(-2|x|)} above 0.625 in magnitude, Cephes's odd
     * polynomial below.
     */
    @Override
    void tanh(float[] x, int xo, float[] y, int yo, int n) {
        float[] s = SCRATCH.get();
        if (s.length < n) {
            s = new float[n];
            SCRATCH.set(s);
        }
        int len = S.length();
        int whole = n - n % len;
        for (int i = 0; i < whole; i += len) {
            FloatVector.fromArray(S, x, xo + i).abs().mul(-2f).intoArray(s, i);
        }
        expAffine(s, 0, 1f, 0f, s, 0, whole);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector bound = FloatVector.broadcast(S, 0.625f);
        for (int i = 0; i < whole; i += len) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector e = FloatVector.fromArray(S, s, i);
            FloatVector large = one.sub(e).div(one.add(e));
            // x's sign on tanh(|x|): bits, not a second blend
            large = large.reinterpretAsInts().or(v.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
            FloatVector z = v.mul(v);
            FloatVector p = z.mul(-5.70498872745E-3f).add(2.06390887954E-2f);
            p = p.mul(z).sub(5.37397155531E-2f);
            p = p.mul(z).add(1.33314422036E-1f);
            p = p.mul(z).sub(3.33332819422E-1f);
            FloatVector small = p.mul(z).mul(v).add(v);
            small.blend(large, v.abs().compare(VectorOperators.GT, bound)).intoArray(y, yo + i);
        }
        for (int i = whole; i < n; i++) {
            y[yo + i] = (float) Scalar.tanh(x[xo + i]);
        }
    }

    /**
     * {@code y = exp(a x + b)} over the ranges (which may coincide), returning the sum of the results. The one loop
     * that evaluates exp, written out inside it: C2 boxes vectors passed to a method it does not inline, and it
     * stops inlining a helper whose own compiled code has grown large, so a shared exp(FloatVector) would be slow
     * whenever it was compiled on its own first.
     */
    private static double expAffine(float[] x, int xo, float a, float b, float[] y, int yo, int n) {
        int len = S.length();
        FloatVector va = FloatVector.broadcast(S, a);
        FloatVector vb = FloatVector.broadcast(S, b);
        FloatVector log2e = FloatVector.broadcast(S, LOG2E);
        FloatVector round = FloatVector.broadcast(S, ROUND);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - len; i += len) {
            FloatVector c = FloatVector.fromArray(S, x, xo + i).fma(va, vb).max(EXP_LO).min(EXP_HI);
            FloatVector t = c.fma(log2e, round);
            FloatVector k = t.sub(round);
            FloatVector r = c.sub(k.mul(LN2_HI)).sub(k.mul(LN2_LO));
            FloatVector p = r.mul(1.9875691500E-4f).add(1.3981999507E-3f);
            p = p.mul(r).add(8.3334519073E-3f);
            p = p.mul(r).add(4.1665795894E-2f);
            p = p.mul(r).add(1.6666665459E-1f);
            p = p.mul(r).add(5.0000001201E-1f);
            p = p.mul(r.mul(r)).add(r).add(1f);
            // 2^k as two normal halves, so that results below float32's normal range round to subnormals or 0 and
            // those above it to infinity, as IEEE products do (a mask and blend per case would cost more)
            IntVector ki = t.reinterpretAsInts().sub(ROUND_BITS);
            IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
            IntVector k2 = ki.sub(k1);
            FloatVector e = p.mul(k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .mul(k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            e.intoArray(y, yo + i);
            acc = acc.add(e);
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp((double) a * x[xo + i] + b);
            y[yo + i] = e;
            sum += e;
        }
        return sum;
    }
}

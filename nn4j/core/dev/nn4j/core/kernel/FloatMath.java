package dev.nn4j.core.kernel;

/**
 * Float32 {@code exp}, sigmoid and tanh over ranges of arrays: the transcendental inner loops of softmax, cross
 * entropy, the LSTM cell and the sigmoid and tanh activations. Internal.
 *
 * <p>Why two implementations: Java 17's {@code Math.exp} is scalar (6 to 15 ns an element on the machines measured),
 * while PyTorch evaluates these functions 8 or 16 lanes at a time (Sleef). When the JVM runs with
 * {@code --add-modules jdk.incubator.vector}, {@link VectorFloatMath} does the same, within 2 ulp of float32 as
 * Sleef's are, some twenty times faster; otherwise the scalar loops here run, in double and rounded once. Lucene
 * chooses its vector code the same way: the incubator module is the user's choice, never a requirement.
 */
abstract class FloatMath {
    private static final FloatMath CHOSEN = choose();

    /** The implementation this JVM runs: vectorized when the incubator module is present. */
    static FloatMath get() {
        return CHOSEN;
    }

    /** True when {@link #get} is the vectorized implementation. */
    static boolean vectorized() {
        return CHOSEN instanceof VectorFloatMath;
    }

    /** The scalar implementation, whatever this JVM has: for tests and as the reference. */
    static FloatMath scalar() {
        return Scalar.INSTANCE;
    }

    private static FloatMath choose() {
        if (Boolean.getBoolean("nn4j.scalarMath") || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return Scalar.INSTANCE;
        }
        try {
            // by name: this class must load on JVMs without the incubator module
            return (FloatMath) Class.forName("dev.nn4j.core.kernel.VectorFloatMath").getDeclaredConstructor()
                    .newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return Scalar.INSTANCE;
        }
    }

    /**
     * {@code y[yo + i] = exp(x[xo + i] - shift)} for {@code i < n}, returning the sum of the results in double (a
     * softmax's denominator); {@code x} and {@code y} may be the same range. The scalar loop subtracts in double,
     * the vectorized one in float32 (as PyTorch's vectorized softmax does).
     */
    abstract double expShifted(float[] x, int xo, float shift, float[] y, int yo, int n);

    /** {@code y = 1 / (1 + exp(-x))} elementwise over the ranges; they may coincide. */
    abstract void sigmoid(float[] x, int xo, float[] y, int yo, int n);

    /** {@code y = tanh(x)} elementwise over the ranges; they may coincide. */
    abstract void tanh(float[] x, int xo, float[] y, int yo, int n);

    /**
     * {@code acc[ao + j] += sum over r of x[off + r cols + j]}: column sums of a row-major block, in double (the lanes
     * add up to 32 rows in float32 before each addition into double).
     */
    void addColumnSums(float[] x, int off, int rows, int cols, double[] acc, int ao) {
        for (int r = 0; r < rows; r++) {
            int base = off + r * cols;
            for (int j = 0; j < cols; j++) {
                acc[ao + j] += x[base + j];
            }
        }
    }

    /**
     * One row of the float32 LSTM cell (see {@code Recurrent.cellRow}): gates {@code x[xo..] + y[yo..]} ({@code 4H}),
     * previous cell state {@code cv[co..]}; writes the activations and {@code tanh(c')} to {@code act[ao..]}
     * ({@code 5H}) and {@code [h, c']} to {@code out[oo..]} ({@code 2H}).
     */
    void lstmCellRow(float[] x, int xo, float[] y, int yo, float[] cv, int co, float[] act, int ao, float[] out,
                     int oo, int h) {
        for (int j = 0; j < 4 * h; j++) {
            act[ao + j] = x[xo + j] + y[yo + j];
        }
        lstmGates(act, ao, h);
        for (int j = 0; j < h; j++) {
            out[oo + h + j] = act[ao + h + j] * cv[co + j] + act[ao + j] * act[ao + 2 * h + j];
        }
        tanh(out, oo + h, act, ao + 4 * h, h); // of the stored c', as the float64 backward recomputes it
        for (int j = 0; j < h; j++) {
            out[oo + j] = act[ao + 3 * h + j] * act[ao + 4 * h + j];
        }
    }

    /** The four gates' activations in place: sigmoid for i and f, tanh for g, sigmoid for o. */
    final void lstmGates(float[] act, int ao, int h) {
        sigmoid(act, ao, act, ao, 2 * h); // i, f
        tanh(act, ao + 2 * h, act, ao + 2 * h, h); // g
        sigmoid(act, ao + 3 * h, act, ao + 3 * h, h); // o
    }

    /**
     * One row of the float32 LSTM cell's backward (see {@code Recurrent.cellRowBackward}, whose arithmetic this is,
     * in the same order): {@code [dh, dc']} at {@code gv[go..]} plus {@code carry[ca..]} (may be null), activations
     * and {@code tanh(c')} at {@code a[ao..]}, previous cell state at {@code cv[co..]}; writes the gates' gradient
     * to {@code dGates[dgo..]} and the previous cell state's to {@code dc[dco..]} (which may be where carry's cell
     * half is read).
     */
    void lstmCellBackwardRow(float[] gv, int go, float[] carry, int ca, float[] a, int ao, float[] cv, int co,
                             float[] dGates, int dgo, float[] dc, int dco, int h) {
        lstmCellBackwardFrom(0, gv, go, carry, ca, a, ao, cv, co, dGates, dgo, dc, dco, h);
    }

    /** {@link #lstmCellBackwardRow} from column {@code from} on, one element at a time. */
    static void lstmCellBackwardFrom(int from, float[] gv, int go, float[] carry, int ca, float[] a, int ao,
                                     float[] cv, int co, float[] dGates, int dgo, float[] dc, int dco, int h) {
        for (int j = from; j < h; j++) {
            float i = a[ao + j];
            float f = a[ao + h + j];
            float gg = a[ao + 2 * h + j];
            float o = a[ao + 3 * h + j];
            float th = a[ao + 4 * h + j];
            float dh = carry == null ? gv[go + j] : gv[go + j] + carry[ca + j];
            float dcIn = carry == null ? gv[go + h + j] : gv[go + h + j] + carry[ca + h + j];
            float dc2 = dcIn + dh * o * (1 - th * th);
            dGates[dgo + j] = dc2 * gg * i * (1 - i);
            dGates[dgo + h + j] = dc2 * cv[co + j] * f * (1 - f);
            dGates[dgo + 2 * h + j] = dc2 * i * (1 - gg * gg);
            dGates[dgo + 3 * h + j] = dh * th * o * (1 - o);
            dc[dco + j] = dc2 * f;
        }
    }

    /** The largest of {@code x[off..off+n)}, NaN if any is NaN, minus infinity for none: as {@code Math.max} folds. */
    float max(float[] x, int off, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }

    /** {@code y *= s} over the range: in double, rounded once (the lanes multiply by {@code (float) s}). */
    void scale(float[] y, int off, int n, double s) {
        for (int i = 0; i < n; i++) {
            y[off + i] = (float) (y[off + i] * s);
        }
    }

    /** {@code sum(a * b)} over the ranges: in double (the lanes sum in float32 and add the lanes in double). */
    double dot(float[] a, int ao, float[] b, int bo, int n) {
        double acc = 0;
        for (int i = 0; i < n; i++) {
            acc += (double) a[ao + i] * b[bo + i];
        }
        return acc;
    }

    /**
     * Softmax's backward over a row, {@code out = y (g - c)} with {@code c = sum(g y)}: in double, rounded once (the
     * lanes in float32, as PyTorch's vectorized kernel).
     */
    void softmaxGrad(float[] g, int go, float[] y, int yo, double c, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) {
            out[oo + i] = (float) (y[yo + i] * (g[go + i] - c));
        }
    }

    /** SplitMix64's increment (as {@link java.util.SplittableRandom}'s). */
    static final long GAMMA = 0x9e3779b97f4a7c15L;

    /**
     * A dropout mask in {@code y[0..n)}: each element {@code scale} when its 31-bit draw is below {@code threshold}
     * (keep probability {@code threshold / 2^31}), else 0. Counter-based, so that both implementations give the same
     * mask for a seed: the draws of elements {@code 2j} and {@code 2j + 1} are the low and high halves (each shifted
     * right by one) of SplitMix64's {@code mix64(seed + (j + 1) GAMMA)}, the {@code j}-th value
     * {@code new SplittableRandom(seed)} would give.
     */
    abstract void bernoulli(long seed, int threshold, float scale, float[] y, int n);

    /**
     * One Adam step over float32 data in place, every operation rounded once in float32 as the optimizer's own loop
     * does (no fused multiply-add), so both give the same bits: {@code w} the parameter, {@code m} and {@code v} the
     * moments (direct buffers), the gradient from {@code gHeap} or else {@code gDirect}. Returns false, having done
     * nothing, when this implementation has no such loop (the caller's then runs).
     */
    boolean adam(java.nio.ByteBuffer w, float[] gHeap, java.nio.ByteBuffer gDirect, java.nio.ByteBuffer m,
                 java.nio.ByteBuffer v, int n, OptimizerLoops.AdamCoefficients c) {
        return false;
    }

    /** SplitMix64's finalizer (Stafford's variant 13), as {@link java.util.SplittableRandom} mixes. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** {@link #bernoulli}'s elements from pair {@code j} on, one at a time: the scalar loop and the vector tail. */
    static void bernoulliFrom(int from, long seed, int threshold, float scale, float[] y, int n) {
        for (int i = from; i < n; i++) {
            long z = mix64(seed + ((i >> 1) + 1L) * GAMMA);
            int u = (i & 1) == 0 ? (int) z >>> 1 : (int) (z >>> 33);
            y[i] = u < threshold ? scale : 0f;
        }
    }

    /** The portable loops: {@code Math.exp} in double, rounded once to float32. */
    static final class Scalar extends FloatMath {
        static final Scalar INSTANCE = new Scalar();

        @Override
        double expShifted(float[] x, int xo, float shift, float[] y, int yo, int n) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double e = Math.exp((double) x[xo + i] - shift); // the difference in double: exact
                y[yo + i] = (float) e;
                sum += e;
            }
            return sum;
        }

        @Override
        void bernoulli(long seed, int threshold, float scale, float[] y, int n) {
            bernoulliFrom(0, seed, threshold, scale, y, n);
        }

        @Override
        void sigmoid(float[] x, int xo, float[] y, int yo, int n) {
            for (int i = 0; i < n; i++) {
                y[yo + i] = (float) sigmoid(x[xo + i]);
            }
        }

        @Override
        void tanh(float[] x, int xo, float[] y, int yo, int n) {
            for (int i = 0; i < n; i++) {
                y[yo + i] = (float) tanh(x[xo + i]);
            }
        }

        static double sigmoid(double v) {
            return 1 / (1 + Math.exp(-v));
        }

        /**
         * tanh through one {@code Math.exp} (an intrinsic; {@code Math.tanh} is not, and costs several times more):
         * {@code sign(x) (1 - e) / (1 + e)}, {@code e = exp(-2|x|)}, within an ulp of float32 everywhere: below
         * 2^-12 tanh(x) rounds to x in float32, and above it the cancellation in {@code 1 - e} costs bits far below
         * float32's.
         */
        static double tanh(double v) {
            if (Math.abs(v) < 0x1p-12) {
                return v;
            }
            double e = Math.exp(-2 * Math.abs(v));
            return Math.copySign((1 - e) / (1 + e), v);
        }
    }
}

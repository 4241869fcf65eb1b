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

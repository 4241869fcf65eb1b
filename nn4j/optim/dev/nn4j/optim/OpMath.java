package dev.nn4j.optim;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The precision PyTorch computes in for a tensor's dtype (its "opmath type"): double for float64, float for
 * float32 and narrower types.
 *
 * <p>The update loops compute in Java doubles and pass every intermediate result through {@link #r}. For float32
 * that rounds each result to float, which gives exactly what float arithmetic would: a double holds more than
 * twice float's precision, so one +, -, *, / or sqrt rounded to double and then to float is rounded correctly.
 */
final class OpMath {
    private final boolean single;

    private OpMath(boolean single) {
        this.single = single;
    }

    /** The arithmetic for parameters of {@code type}. */
    static OpMath of(DataType type) {
        return new OpMath(type != DataType.DOUBLE);
    }

    /** {@code v} rounded to this precision; hyper-parameters go through it too, as PyTorch casts scalars. */
    double r(double v) {
        return single ? (float) v : v;
    }
}

package dev.nn4j.nn;

/**
 * A {@link Linear} under the name PyTorch gives {@link MultiheadAttention}'s output projection, so that the
 * printed tree matches PyTorch's: {@code (out_proj): NonDynamicallyQuantizableLinear(in_features=8, ...)}.
 */
class NonDynamicallyQuantizableLinear extends Linear {
    NonDynamicallyQuantizableLinear(long in, long out, boolean bias) {
        super(in, out, bias);
    }
}

/**
 * The kernels every op computes through, and the data they work on ({@link dev.nn4j.core.kernel.Storage}).
 * Internal: not part of nn4j's API, and only the core (and the optimizers' update loops) may use it, which
 * {@code OpRulesTest} checks. A module descriptor cannot hide it: ND4J 1.0.0-M2.1 itself runs only on the class
 * path (the JVM refuses its module descriptor).
 *
 * <p>Where things are: {@code Elementwise} (broadcasting arithmetic, activations, comparisons), {@code Reductions}
 * (sums, maxima, softmax, the reverse of broadcasting), {@code Blas} (matrix products, axpy), {@code Layout}
 * (transposes, slices, concatenation, device copies), {@code Losses}, {@code Convolutions} and {@code PerImage}
 * (im2col convolution), {@code Pooling}, {@code Norms} and {@code BatchNormFloat}, {@code Recurrent} (the fused
 * LSTM cell), {@code Scratch} (per-thread buffers). float32 and float64 run as Java loops over heap arrays or
 * straight to OpenBLAS; other dtypes, and the CUDA backend, through ND4J.
 */
package dev.nn4j.core.kernel;

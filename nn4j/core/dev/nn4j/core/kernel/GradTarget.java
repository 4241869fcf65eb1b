package dev.nn4j.core.kernel;

/**
 * A leaf's gradient buffer that an op's backward may write its gradient into directly, instead of returning a
 * new array that the engine then copies or adds into the leaf's {@code grad}. Internal.
 *
 * <p>Why: a layer's weight gradient is as large as the weight (800 KB for a 784→256 layer). Written straight by
 * BLAS (beta = 0 to set, 1 to accumulate, which is PyTorch's in-place {@code grad += g}), it costs no copy and
 * no allocation. The engine offers a target only to ops that ask for one ({@code Node.writesGradInPlace}),
 * only for a leaf that appears once among the op's inputs, and only where BLAS can write the buffer in place.
 */
public final class GradTarget {
    private final Storage storage;
    private final boolean accumulate;
    private boolean written;

    /** A target over {@code storage}; made by the engine only. */
    public GradTarget(Storage storage, boolean accumulate) {
        this.storage = storage;
        this.accumulate = accumulate;
    }

    /** The buffer to write: dense, row-major, the leaf's shape and dtype. */
    public Storage storage() {
        return storage;
    }

    /** True when the gradient must be added to the buffer's contents; false when it replaces them. */
    public boolean accumulate() {
        return accumulate;
    }

    /** Tells the engine the gradient is in the buffer; the op then returns null for that input. */
    public void markWritten() {
        if (accumulate) {
            // only a gradient that someone may hold can be saved in a graph; a kept buffer was never handed out
            storage.bumpVersion();
        }
        written = true;
    }

    /** Whether the op wrote the gradient (engine-internal). */
    public boolean written() {
        return written;
    }
}

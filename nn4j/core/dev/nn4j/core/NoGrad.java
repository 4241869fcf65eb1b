package dev.nn4j.core;

/**
 * A scope in which no operation is recorded for autograd, on the current thread only.
 *
 * <p>PyTorch: {@code with torch.no_grad():}. Scopes nest; each thread has its own state, so one thread's
 * inference never changes another thread's training.
 * <pre>{@code
 * try (var scope = NoGrad.enter()) {
 *     Tensor y = net.call(x);   // no graph is built
 * }
 * }</pre>
 */
public final class NoGrad implements AutoCloseable {
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private final int[] depth;
    private boolean closed;

    private NoGrad(int[] depth) {
        this.depth = depth;
    }

    /** Disables recording on this thread until the returned scope is closed. */
    public static NoGrad enter() {
        int[] d = DEPTH.get();
        d[0]++;
        return new NoGrad(d);
    }

    /** True when operations on this thread are recorded (no {@code NoGrad} scope is open). PyTorch: {@code torch.is_grad_enabled()}. */
    public static boolean isGradEnabled() {
        return DEPTH.get()[0] == 0;
    }

    /** Re-enables recording (if this was the outermost scope). Closing twice is harmless. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            depth[0]--;
        }
    }
}

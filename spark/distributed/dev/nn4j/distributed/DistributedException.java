package dev.nn4j.distributed;

/**
 * A collective failed: a rank died, closed its group, stopped answering within the time-out, or called a
 * different collective than the others. The group that threw is broken; every later call on it throws too.
 * PyTorch: the {@code DistBackendError} / {@code RuntimeError} of a failed collective.
 */
public class DistributedException extends RuntimeException {
    /** An exception with {@code message}. */
    public DistributedException(String message) {
        super(message);
    }

    /** An exception with {@code message} caused by {@code cause}. */
    public DistributedException(String message, Throwable cause) {
        super(message, cause);
    }
}

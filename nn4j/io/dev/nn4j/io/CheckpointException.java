package dev.nn4j.io;

/**
 * A checkpoint could not be written or read: an I/O failure, or a file that is damaged, hostile, or holds a
 * different kind of content than was asked for. The message names the file and what is wrong with it.
 *
 * <p>PyTorch: the {@code RuntimeError} / {@code SafetensorError} raised by {@code torch.load} and
 * {@code safetensors.torch.load_file}. Unchecked, like PyTorch's errors: most callers cannot recover from a
 * bad checkpoint and should not have to declare it.
 */
public class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure described by {@code message}. */
    public CheckpointException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause} (usually an {@link java.io.IOException}). */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}

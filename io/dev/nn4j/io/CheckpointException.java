package dev.nn4j.io;

/** A checkpoint file that cannot be read or written: damaged, hostile, or in an unsupported format. */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}

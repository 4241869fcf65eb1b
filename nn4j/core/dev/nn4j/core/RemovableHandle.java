package dev.nn4j.core;

/** Removes the hook it was returned for. PyTorch: {@code torch.utils.hooks.RemovableHandle}. */
@FunctionalInterface
public interface RemovableHandle extends AutoCloseable {
    /** Removes the hook; later calls do nothing. PyTorch: {@code handle.remove()}. */
    void remove();

    /** {@link #remove()}, so a hook can live for a try-with-resources block. */
    @Override
    default void close() {
        remove();
    }
}

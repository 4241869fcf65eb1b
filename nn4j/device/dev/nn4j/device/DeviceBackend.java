package dev.nn4j.device;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The device bookkeeping behind {@link Devices}: how many GPUs exist and how an array is placed on one.
 *
 * <p>Internal seam: the ND4J backends implement it ({@link Nd4jDeviceBackend}), and tests install a simulated
 * multi-device backend through {@link Devices#useBackend(DeviceBackend)} so that every device rule is exercised
 * on machines without a GPU.
 */
public interface DeviceBackend {
    /** Number of usable CUDA devices (0 when the backend is CPU-only). */
    int cudaCount();

    /** A short description of the backend for error messages, e.g. {@code "nd4j-native (CPU only)"}. */
    String describe();

    /**
     * An independent copy of {@code array} placed on {@code device}; the device must be available.
     * A view is copied to a dense array first where the backend requires it.
     */
    INDArray copyTo(INDArray array, Device device);

    /** Binds the calling thread to {@code device} before work on it runs (a no-op on the host). */
    void bindThread(Device device);
}

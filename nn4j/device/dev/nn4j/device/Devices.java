package dev.nn4j.device;

import java.util.ArrayList;
import java.util.List;

/**
 * Which devices exist, and the d2l-style helpers to pick one.
 *
 * <p>PyTorch: {@code torch.cuda.device_count()}; d2l's {@code try_gpu(i)} and {@code try_all_gpus()}.
 */
public final class Devices {
    private static volatile DeviceBackend backend;

    private Devices() {
    }

    /** The device backend in use (the ND4J backend of this JVM unless a test installed another). */
    public static DeviceBackend backend() {
        DeviceBackend b = backend;
        if (b == null) {
            synchronized (Devices.class) {
                if (backend == null) {
                    backend = new Nd4jDeviceBackend();
                }
                b = backend;
            }
        }
        return b;
    }

    /**
     * Replaces the device backend, returning the previous one; {@code null} restores ND4J's. Internal: meant for
     * tests that simulate several GPUs on a host without one.
     */
    public static synchronized DeviceBackend useBackend(DeviceBackend replacement) {
        DeviceBackend previous = backend();
        backend = replacement;
        return previous;
    }

    /** Number of CUDA GPUs usable by this JVM. PyTorch: {@code torch.cuda.device_count()}. */
    public static int cudaCount() {
        return backend().cudaCount();
    }

    /** {@code cuda:0} if there is a GPU, else {@code cpu}. d2l: {@code try_gpu()}. */
    public static Device tryGpu() {
        return tryGpu(0);
    }

    /** {@code cuda:i} if GPU i exists, else {@code cpu}. d2l: {@code try_gpu(i)}. */
    public static Device tryGpu(int i) {
        return i >= 0 && i < cudaCount() ? Device.cuda(i) : Device.CPU;
    }

    /** Every GPU, or {@code [cpu]} when there is none. d2l: {@code try_all_gpus()}. */
    public static List<Device> tryAllGpus() {
        int n = cudaCount();
        List<Device> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(Device.cuda(i));
        }
        if (all.isEmpty()) {
            all.add(Device.CPU);
        }
        return List.copyOf(all);
    }

    /**
     * Checks that {@code device} can hold tensors here.
     *
     * @throws IllegalStateException naming the devices available and how to enable CUDA
     */
    public static void checkAvailable(Device device) {
        if (device.isCpu()) {
            return;
        }
        int n = cudaCount();
        if (device.index() >= n) {
            String available = n == 0 ? "[cpu]" : "[cpu, cuda:0" + (n > 1 ? " .. cuda:" + (n - 1) : "") + "]";
            throw new IllegalStateException("Device " + device + " is not available on backend "
                    + backend().describe() + "; available devices: " + available
                    + ". To use NVIDIA GPUs, build with the Maven profile -Pcuda (artifact org.nd4j:nd4j-cuda-11.6:"
                    + "1.0.0-M2.1 with its platform classifier) on a machine with a CUDA 11.6 driver.");
        }
    }
}

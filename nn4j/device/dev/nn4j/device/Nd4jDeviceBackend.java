package dev.nn4j.device;

import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Device placement on the ND4J backend that this JVM loaded.
 *
 * <p>ND4J runs exactly one backend per JVM. Under {@code nd4j-native} only {@code cpu} exists. Under
 * {@code nd4j-cuda} every array is a CUDA array with a host mirror; nn4j's {@code cuda:i} means "the device copy
 * lives on GPU i" (placed with {@link AffinityManager#replicateToDevice}), and nn4j's {@code cpu} means "an array
 * of the same backend whose host copy is current" ({@link AffinityManager#ensureLocation} with
 * {@code HOST}): under the CUDA backend, work on a {@code cpu} tensor still runs through the CUDA backend's kernels.
 */
final class Nd4jDeviceBackend implements DeviceBackend {
    private final boolean cuda;

    Nd4jDeviceBackend() {
        this.cuda = Nd4j.getBackend().getClass().getName().toLowerCase().contains("cuda");
    }

    @Override
    public int cudaCount() {
        return cuda ? Nd4j.getAffinityManager().getNumberOfDevices() : 0;
    }

    @Override
    public String describe() {
        return cuda ? "nd4j-cuda-11.6 (" + cudaCount() + " GPU(s))" : "nd4j-native (CPU only)";
    }

    @Override
    public INDArray copyTo(INDArray array, Device device) {
        INDArray dense = array.isView() ? array.dup() : array;
        if (!cuda) {
            return dense == array ? array.dup() : dense;
        }
        AffinityManager am = Nd4j.getAffinityManager();
        if (device.isCpu()) {
            INDArray copy = dense == array ? array.dup() : dense;
            am.ensureLocation(copy, AffinityManager.Location.HOST);
            return copy;
        }
        INDArray placed = am.replicateToDevice(device.index(), dense);
        am.ensureLocation(placed, AffinityManager.Location.DEVICE);
        return placed;
    }

    @Override
    public void bindThread(Device device) {
        if (cuda && device.isCuda()) {
            Nd4j.getAffinityManager().unsafeSetDevice(device.index());
        }
    }
}

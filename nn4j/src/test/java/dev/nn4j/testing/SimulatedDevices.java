package dev.nn4j.testing;

import dev.nn4j.device.Device;
import dev.nn4j.device.DeviceBackend;
import dev.nn4j.device.Devices;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A device backend with {@code n} simulated GPUs: host arrays tagged {@code cuda:i}. Lets the device rules and
 * the parity suites run on "several devices" on a machine without a GPU. On a machine with real GPUs the suites
 * use those instead.
 */
public final class SimulatedDevices implements DeviceBackend {
    private final int count;
    /** Number of copies made, so tests can tell a move from an identity. */
    public final AtomicInteger copies = new AtomicInteger();
    /** The device each thread was last bound to, so tests can check that ops bind before they run. */
    public final java.util.Map<Thread, Device> bound = new java.util.concurrent.ConcurrentHashMap<>();

    public SimulatedDevices(int count) {
        this.count = count;
    }

    @Override
    public int cudaCount() {
        return count;
    }

    @Override
    public String describe() {
        return "simulated (" + count + " GPU(s))";
    }

    @Override
    public INDArray copyTo(INDArray array, Device device) {
        copies.incrementAndGet();
        return array.dup('c');
    }

    @Override
    public void bindThread(Device device) {
        bound.put(Thread.currentThread(), device);
    }

    /** Installs {@code n} simulated GPUs until the returned scope closes. */
    public static Scope install(int n) {
        SimulatedDevices sim = new SimulatedDevices(n);
        return new Scope(Devices.useBackend(sim), sim);
    }

    /** The devices every parity suite runs on: cpu, then real GPUs if any, else two simulated ones. */
    public static List<Device> parityDevices() {
        List<Device> out = new ArrayList<>();
        out.add(Device.CPU);
        int real = Devices.cudaCount();
        for (int i = 0; i < Math.max(real, 2); i++) {
            out.add(Device.cuda(i));
        }
        return out;
    }

    /** Makes {@code device} usable for the duration of a test: simulated when no real GPU backs it. */
    public static Scope use(Device device) {
        if (device.isCpu() || device.index() < Devices.cudaCount()) {
            return new Scope(null, null);
        }
        return install(device.index() + 1);
    }

    /** Restores the previous backend on close. */
    public static final class Scope implements AutoCloseable {
        private final DeviceBackend previous;
        public final SimulatedDevices backend;

        Scope(DeviceBackend previous, SimulatedDevices backend) {
            this.previous = previous;
            this.backend = backend;
        }

        @Override
        public void close() {
            if (backend != null) {
                Devices.useBackend(previous);
            }
        }
    }
}

package dev.nn4j.examples;

import dev.nn4j.core.Tensor;
import dev.nn4j.device.Device;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Sequential;

/**
 * d2l "GPUs": counting devices, tryGpu, moving a tensor and a model, and the error for two devices.
 * Without a GPU (or without the {@code -Pcuda} build) everything falls back to the CPU.
 */
public final class Devices {
    private Devices() {
    }

    /** Runs the section's cells. */
    public static void main(String[] args) {
        System.out.println("cuda devices: " + dev.nn4j.device.Devices.cudaCount());
        System.out.println("tryGpu(): " + dev.nn4j.device.Devices.tryGpu());
        System.out.println("tryGpu(10): " + dev.nn4j.device.Devices.tryGpu(10));
        System.out.println("tryAllGpus(): " + dev.nn4j.device.Devices.tryAllGpus());

        Device d = dev.nn4j.device.Devices.tryGpu();
        Tensor x = Tensor.ones(d, 2, 3);
        System.out.println("x on " + x.device() + ": " + x);
        Sequential net = new Sequential(new Linear(3, 1));
        net.to(d);
        System.out.println("net(x) on " + d + ": " + net.call(x));
        System.out.println("weight device: " + ((Linear) net.get(0)).weight().device());

        try {
            Tensor.ones(Device.cuda(0), 2);
        } catch (IllegalStateException e) {
            System.out.println("cuda:0 here: " + e.getMessage());
        }
        if (dev.nn4j.device.Devices.cudaCount() > 0) {
            try {
                x.add(Tensor.ones(2, 3).cuda(0)).add(Tensor.ones(2, 3));
            } catch (IllegalArgumentException e) {
                System.out.println(e.getMessage());
            }
        }
    }
}

package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Storage;
import dev.nn4j.core.Tensor;
import dev.nn4j.device.Device;
import dev.nn4j.device.Devices;

/** A copy to another device; backward copies the gradient back to the source device. */
public final class ToDevice extends Function {
    private final Device source;

    private ToDevice(Device source) {
        this.source = source;
    }

    /** PyTorch: {@code x.to(device)} on a tensor that requires grad (recorded, as {@code ToCopyBackward}). */
    public static Tensor apply(Tensor x, Device target) {
        Storage copy = Storage.of(Devices.backend().copyTo(storage(x).nd(), target));
        return recordOn(target, new ToDevice(x.device()), copy, x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Storage.of(Devices.backend().copyTo(g.nd(), source))};
    }

    @Override
    public String name() {
        return "ToCopyBackward";
    }
}

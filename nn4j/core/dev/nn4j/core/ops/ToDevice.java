package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Layout;
import dev.nn4j.core.kernel.Storage;
import dev.nn4j.device.Device;

/** A copy to another device; backward copies the gradient back to the source device. */
public final class ToDevice extends Node {
    private final Device source;

    private ToDevice(Device source) {
        this.source = source;
    }

    /** PyTorch: {@code x.to(device)} on a tensor that requires grad (recorded, as {@code ToCopyBackward}). */
    public static Tensor apply(Tensor x, Device target) {
        return recordOn(target, new ToDevice(x.device()), Layout.copyTo(storage(x), target), x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Layout.copyTo(g, source)};
    }

    @Override
    public String name() {
        return "ToCopyBackward";
    }
}

package dev.nn4j.io;

import java.util.Arrays;

/**
 * One tensor's line of a safetensors header: where its bytes lie in the data buffer and how to read them.
 * {@code begin} and {@code end} are byte offsets relative to the start of the data buffer (end exclusive).
 */
record TensorEntry(String name, Dtype dtype, long[] shape, long begin, long end) {
    TensorEntry {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    long byteLength() {
        return end - begin;
    }

    /** The shape as the header writes it, e.g. {@code [2,3]}; also used in messages. */
    String shapeText() {
        return Arrays.toString(shape).replace(" ", "");
    }
}

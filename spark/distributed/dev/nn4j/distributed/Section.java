package dev.nn4j.distributed;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * The elements a collective works on: {@code length} float32 or float64 values of a Java array from
 * {@code offset}. Positions below are relative to the section. One class for both types keeps the ring and the
 * in-JVM backend free of per-type copies.
 */
final class Section {
    private final float[] floats;
    private final double[] doubles;
    final int offset;
    final int length;

    private Section(float[] floats, double[] doubles, int offset, int length) {
        this.floats = floats;
        this.doubles = doubles;
        this.offset = offset;
        this.length = length;
    }

    static Section of(float[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        return new Section(data, null, offset, length);
    }

    static Section of(double[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        return new Section(null, data, offset, length);
    }

    /** 4 or 8. */
    int bytesPerElement() {
        return floats != null ? Float.BYTES : Double.BYTES;
    }

    /** 0 for float32, 1 for float64: the type code on the wire. */
    int typeCode() {
        return floats != null ? 0 : 1;
    }

    String typeName() {
        return floats != null ? "float32" : "float64";
    }

    /** Writes elements {@code [from, from + count)} into {@code dst} at its position, advancing it. */
    void put(ByteBuffer dst, int from, int count) {
        int bytes = count * bytesPerElement();
        ByteBuffer view = dst.slice().order(dst.order());
        if (floats != null) {
            view.asFloatBuffer().put(floats, offset + from, count);
        } else {
            view.asDoubleBuffer().put(doubles, offset + from, count);
        }
        dst.position(dst.position() + bytes);
    }

    /** Reads {@code count} elements from {@code src} (at its position) into {@code [from, from + count)}, added or set. */
    void get(ByteBuffer src, int from, int count, boolean add) {
        int o = offset + from;
        if (floats != null) {
            FloatBuffer b = src.slice().order(src.order()).asFloatBuffer();
            if (add) {
                for (int i = 0; i < count; i++) {
                    floats[o + i] += b.get(i);
                }
            } else {
                b.get(floats, o, count);
            }
        } else {
            DoubleBuffer b = src.slice().order(src.order()).asDoubleBuffer();
            if (add) {
                for (int i = 0; i < count; i++) {
                    doubles[o + i] += b.get(i);
                }
            } else {
                b.get(doubles, o, count);
            }
        }
        src.position(src.position() + count * bytesPerElement());
    }

    /** Adds {@code other}'s elements (same type and length) into {@code sum}, a float[] or double[] of this length. */
    void addTo(Object sum) {
        if (floats != null) {
            float[] s = (float[]) sum;
            for (int i = 0; i < length; i++) {
                s[i] += floats[offset + i];
            }
        } else {
            double[] s = (double[]) sum;
            for (int i = 0; i < length; i++) {
                s[i] += doubles[offset + i];
            }
        }
    }

    /** A zeroed array of this section's type and length. */
    Object newArray() {
        return floats != null ? new float[length] : new double[length];
    }

    /** Copies {@code from} (an array of this type, this length, or a section of it) into this section. */
    void setFrom(Object from) {
        System.arraycopy(from, 0, floats != null ? floats : doubles, offset, length);
    }

    /** Copies this section's elements into a new array. */
    Object copy() {
        Object a = newArray();
        System.arraycopy(floats != null ? floats : doubles, offset, a, 0, length);
        return a;
    }
}

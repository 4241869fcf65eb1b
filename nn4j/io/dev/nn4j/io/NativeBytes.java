package dev.nn4j.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Moves tensor elements between ND4J's native buffers and safetensors' little-endian, row-major bytes without
 * converting values: F16/BF16 bit patterns and NaN payloads survive a round trip exactly.
 */
final class NativeBytes {
    /** Largest tensor (in bytes) one NIO buffer can address: ND4J exposes its storage as a single ByteBuffer. */
    static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

    private static final boolean LITTLE_ENDIAN_HOST = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final int CHUNK = 1 << 16;

    private NativeBytes() {
    }

    /**
     * Writes {@code array}'s elements in row-major order, little-endian, to {@code out}.
     *
     * @return the number of bytes written
     */
    static long write(INDArray array, Dtype dtype, WritableByteChannel out) throws IOException {
        if (array.isEmpty() || array.length() == 0) {
            return 0;
        }
        INDArray c = contiguous(array);
        int bytes = Math.toIntExact(c.length() * dtype.size);
        ByteBuffer src = c.data().asNio();
        if (src.capacity() < bytes) {
            throw new IllegalStateException("ND4J buffer of " + src.capacity() + " bytes is smaller than the "
                    + bytes + " bytes of a " + c.dataType() + " array of " + c.length() + " elements");
        }
        src.clear().limit(bytes);
        if (LITTLE_ENDIAN_HOST) {
            writeFully(out, src);
            return bytes;
        }
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        while (src.hasRemaining()) {
            int n = Math.min(CHUNK, src.remaining());
            chunk.clear().put(src.slice().limit(n)).flip();
            src.position(src.position() + n);
            reverseEach(chunk, dtype.size);
            writeFully(out, chunk);
        }
        return bytes;
    }

    /**
     * A new array of {@code dtype} and {@code shape} filled from {@code bytes} little-endian bytes of {@code in}
     * at {@code position}. The caller has validated that the bytes exist and match the shape.
     */
    static INDArray read(FileChannel in, long position, long bytes, Dtype dtype, long[] shape) throws IOException {
        if (bytes == 0) {
            return Nd4j.create(dtype.nd4j, shape);
        }
        INDArray a = Nd4j.createUninitialized(dtype.nd4j, shape, 'c');
        ByteBuffer dst = a.data().asNio();
        if (dst.capacity() < bytes) {
            throw new IllegalStateException("ND4J buffer of " + dst.capacity() + " bytes is smaller than the "
                    + bytes + " bytes of a " + dtype + " tensor of shape " + java.util.Arrays.toString(shape));
        }
        dst.clear().limit((int) bytes);
        while (dst.hasRemaining()) {
            if (in.read(dst, position + dst.position()) < 0) {
                throw new EOFException("the file ended " + dst.remaining() + " bytes early (was it modified while "
                        + "being read?)");
            }
        }
        if (!LITTLE_ENDIAN_HOST) {
            dst.flip();
            reverseEach(dst, dtype.size);
        }
        return a;
    }

    /**
     * The index of the first byte of {@code a} (a BOOL array) that is neither 0 nor 1, or -1. Other values would
     * be "true" to some kernels and not to others, so a reader must not let them in.
     */
    static long firstInvalidBool(INDArray a) {
        if (a.isEmpty() || a.length() == 0) {
            return -1;
        }
        ByteBuffer b = a.data().asNio();
        int n = (int) a.length();
        for (int i = 0; i < n; i++) {
            byte v = b.get(i);
            if (v != 0 && v != 1) {
                return i;
            }
        }
        return -1;
    }

    /** {@code a} itself when its buffer holds exactly its elements in row-major order, else a row-major copy. */
    static INDArray contiguous(INDArray a) {
        boolean exact = !a.isView() && a.ordering() == 'c' && a.offset() == 0 && a.data().length() == a.length();
        return exact ? a : a.dup('c');
    }

    /** Reverses the bytes of each {@code width}-byte element between position and limit, in place. */
    static void reverseEach(ByteBuffer b, int width) {
        for (int at = b.position(); at + width <= b.limit(); at += width) {
            for (int i = 0, j = width - 1; i < j; i++, j--) {
                byte t = b.get(at + i);
                b.put(at + i, b.get(at + j));
                b.put(at + j, t);
            }
        }
    }

    static void writeFully(WritableByteChannel out, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            out.write(src);
        }
    }
}

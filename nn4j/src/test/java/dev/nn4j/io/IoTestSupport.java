package dev.nn4j.io;

import dev.nn4j.core.Tensor;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Helpers shared by the checkpoint tests: exact tensor comparison and hand-made safetensors files. */
final class IoTestSupport {
    private IoTestSupport() {
    }

    /** The fixture file {@code name} from src/test/resources/fixtures. */
    static Path fixture(String name) {
        try {
            return Paths.get(IoTestSupport.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("fixture not found: " + name, e);
        }
    }

    /** The elements of {@code t} as raw row-major bytes in the host's order (ND4J's storage, copied). */
    static byte[] rawBytes(Tensor t) {
        INDArray a = t.array();
        if (a.length() == 0) {
            return new byte[0];
        }
        INDArray c = a.dup('c');
        int n = (int) (c.length() * c.dataType().width());
        byte[] out = new byte[n];
        c.data().asNio().get(0, out);
        return out;
    }

    /** Same dtype, same shape, same bits in every element (so NaN payloads and -0.0 count). */
    static void assertSameTensor(Tensor expected, Tensor actual, String what) {
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertArrayEquals(rawBytes(expected), rawBytes(actual), what + ": bytes");
    }

    static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual, String what) {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()), what + ": keys in order");
        expected.forEach((k, v) -> assertSameTensor(v, actual.get(k), what + " [" + k + "]"));
    }

    /** A file framed as the spec says (length, header padded with spaces to 8, data) around {@code json}. */
    static byte[] frame(String json, byte[] data) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        return b.put(data).array();
    }

    /** A file with an arbitrary length field, header bytes and data. */
    static byte[] raw(long headerLength, byte[] header, byte[] data) {
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(headerLength).put(header).put(data).array();
    }

    /** {@code values} as little-endian float32 bytes. */
    static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    static List<String> keys(Map<String, ?> m) {
        return new ArrayList<>(m.keySet());
    }
}

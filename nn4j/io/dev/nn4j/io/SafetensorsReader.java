package dev.nn4j.io;

import dev.nn4j.core.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads a safetensors file without trusting it. The header length is checked against the real file size (and
 * the library's 100 MB cap) before anything is allocated, the header is validated in full before any tensor is
 * read, and each tensor's buffer is sized from offsets already proven to lie inside the file; so a hostile file
 * can cost at most about its own size in memory, and every refusal is a {@link CheckpointException}.
 */
final class SafetensorsReader {
    /** Tensors in header order, and the header's {@code __metadata__} (empty when absent). */
    record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    private SafetensorsReader() {
    }

    /** Header and tensors of {@code path}. */
    static Contents read(Path path) {
        return read(path, true);
    }

    /**
     * The validated contents of {@code path}; with {@code withData=false} the tensor map is empty and only the
     * header is read (the header is still checked against the file's size).
     *
     * @throws CheckpointException naming the file and the problem
     */
    static Contents read(Path path, boolean withData) {
        String where = "checkpoint " + path;
        if (!Files.isRegularFile(path)) {
            // a FIFO or device could block forever or never end; only plain files are read
            throw new CheckpointException(where + ": " + (Files.exists(path) ? "not a regular file" : "no such file"));
        }
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = in.size();
            if (size < 8) {
                throw new CheckpointException(where + ": the file is " + size + " bytes, too short for the 8-byte "
                        + "header length");
            }
            long n = readFully(in, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n < 0 || n > SafetensorsHeader.MAX_HEADER_SIZE) {
                throw new CheckpointException(where + ": header length " + Long.toUnsignedString(n) + " exceeds the "
                        + SafetensorsHeader.MAX_HEADER_SIZE + "-byte limit on safetensors headers");
            }
            if (n > size - 8) {
                throw new CheckpointException(where + ": header length " + n + " exceeds the " + (size - 8)
                        + " bytes that follow the length field (truncated or not a safetensors file)");
            }
            String json = utf8(readFully(in, 8, (int) n), where);
            long dataStart = 8 + n;
            SafetensorsHeader header = HeaderParser.parse(json, size - dataStart, where);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            if (withData) {
                for (TensorEntry e : header.entries()) {
                    tensors.put(e.name(), Tensor.of(tensor(in, dataStart, e, where)));
                }
            }
            return new Contents(Collections.unmodifiableMap(tensors), header.metadata());
        } catch (NoSuchFileException e) {
            throw new CheckpointException(where + ": no such file", e);
        } catch (IOException e) {
            throw new CheckpointException(where + ": cannot be read: " + e, e);
        }
    }

    private static INDArray tensor(FileChannel in, long dataStart, TensorEntry e, String where) throws IOException {
        if (e.byteLength() > NativeBytes.MAX_TENSOR_BYTES) {
            throw new CheckpointException(where + ": tensor \"" + e.name() + "\" has " + e.byteLength()
                    + " bytes; nn4j reads tensors of up to " + NativeBytes.MAX_TENSOR_BYTES + " bytes each");
        }
        INDArray a;
        try {
            a = NativeBytes.read(in, dataStart + e.begin(), e.byteLength(), e.dtype(), e.shape());
        } catch (RuntimeException nd4j) {
            // ND4J refusing an array the validated header allows (e.g. off-heap memory exhausted)
            throw new CheckpointException(where + ": cannot create tensor \"" + e.name() + "\" of shape "
                    + e.shapeText() + " and dtype " + e.dtype() + ": " + nd4j.getMessage(), nd4j);
        }
        if (e.dtype() == Dtype.BOOL) {
            long bad = NativeBytes.firstInvalidBool(a);
            if (bad >= 0) {
                throw new CheckpointException(where + ": tensor \"" + e.name() + "\" is BOOL but element " + bad
                        + " holds byte " + a.data().asNio().get((int) bad) + ", not 0 or 1");
            }
        }
        return a;
    }

    private static ByteBuffer readFully(FileChannel in, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (in.read(b, position + b.position()) < 0) {
                throw new IOException("the file ended early (was it modified while being read?)");
            }
        }
        return b.flip();
    }

    private static String utf8(ByteBuffer bytes, String where) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(where + ": the header is not valid UTF-8 text", e);
        }
    }
}

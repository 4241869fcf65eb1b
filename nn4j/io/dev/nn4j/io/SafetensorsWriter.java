package dev.nn4j.io;

import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Parameter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes named tensors as one safetensors file: the 8-byte little-endian header length, the padded JSON header,
 * then every tensor's bytes back to back in the map's order, which is also the header's order.
 */
final class SafetensorsWriter {
    private SafetensorsWriter() {
    }

    /**
     * Writes {@code tensors} (in iteration order) and {@code metadata} to {@code path}, atomically.
     *
     * @throws IllegalArgumentException for a null or reserved name, a null tensor, or a dtype safetensors lacks
     * @throws CheckpointException when the file cannot be written
     */
    static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
        List<TensorEntry> entries = new ArrayList<>(tensors.size());
        List<Tensor> sources = new ArrayList<>(tensors.size());
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String key = e.getKey();
            Tensor t = e.getValue();
            if (key == null) {
                throw new IllegalArgumentException("Checkpoint.save: a tensor name is null");
            }
            if (key.equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("Checkpoint.save: \"" + key + "\" is reserved by safetensors for "
                        + "metadata and cannot name a tensor");
            }
            if (t == null) {
                throw new IllegalArgumentException("Checkpoint.save: tensor \"" + key + "\" is null");
            }
            if (t instanceof Parameter p && p.isUninitialized()) {
                // its placeholder storage is empty: saving it would silently record a shape the model never had
                throw new IllegalArgumentException("Checkpoint.save: tensor \"" + key + "\" is an uninitialized "
                        + "parameter of a lazy module; run a forward pass (call) before saving it");
            }
            Dtype dtype = Dtype.of(t.dtype(), key);
            long bytes = t.numel() * dtype.size;
            if (bytes > NativeBytes.MAX_TENSOR_BYTES) {
                throw new IllegalArgumentException("Checkpoint.save: tensor \"" + key + "\" has " + bytes
                        + " bytes; nn4j stores tensors of up to " + NativeBytes.MAX_TENSOR_BYTES + " bytes each");
            }
            entries.add(new TensorEntry(key, dtype, t.shape(), offset, offset + bytes));
            sources.add(t);
            offset += bytes;
        }
        byte[] header = new SafetensorsHeader(entries, metadata).encode();
        AtomicFile.write(path, out -> {
            NativeBytes.writeFully(out, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(header.length).flip());
            NativeBytes.writeFully(out, ByteBuffer.wrap(header));
            for (int i = 0; i < entries.size(); i++) {
                TensorEntry entry = entries.get(i);
                INDArray array = sources.get(i).cpu().array();
                // the header is already on disk: data of another shape or type would make a corrupt file
                if (!Arrays.equals(array.shape(), entry.shape()) || array.dataType() != entry.dtype().nd4j) {
                    throw new IllegalStateException("Checkpoint.save: tensor \"" + entry.name() + "\" changed from "
                            + entry.dtype().nd4j + " " + entry.shapeText() + " to " + array.dataType() + " "
                            + Arrays.toString(array.shape()) + " while being saved");
                }
                long written = NativeBytes.write(array, entry.dtype(), out);
                if (written != entry.byteLength()) {
                    throw new IllegalStateException("Checkpoint.save: tensor \"" + entry.name() + "\" gave "
                            + written + " bytes instead of " + entry.byteLength());
                }
            }
        });
    }
}

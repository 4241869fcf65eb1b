package dev.nn4j.io;

import dev.nn4j.core.Tensor;
import dev.nn4j.io.Pickled.Storage;
import dev.nn4j.io.Pickled.TensorRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads PyTorch checkpoints written by {@code torch.save} (the zip format of PyTorch 1.6 and later) without
 * executing anything in them.
 *
 * <p>PyTorch: {@code torch.load(path, map_location="cpu", weights_only=True)}. A {@code .pt} file is a zip
 * holding a pickle ({@code data.pkl}) plus one raw entry per storage. Python's pickle can call any function
 * the file names, so this reader interprets the pickle itself and accepts only what a state dict is made of:
 * dicts, lists, tuples, numbers, strings, {@code OrderedDict}, {@code torch.Size}, dtypes and tensors rebuilt
 * by {@code torch._utils._rebuild_tensor_v2} / {@code _rebuild_parameter}. Anything else is refused with a
 * {@link CheckpointException} naming it, as are damaged archives, zip bombs, and tensors whose strides reach
 * outside their storage; sizes are checked before anything is allocated.
 * <pre>{@code
 * Map<String, Tensor> sd = TorchCheckpoint.load(Path.of("model.pt"));   // torch.save(model.state_dict(), ...)
 * model.loadStateDict(sd);
 * }</pre>
 */
public final class TorchCheckpoint {
    private static final Logger LOG = LoggerFactory.getLogger(TorchCheckpoint.class);
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    // pickle of torch.serialization's MAGIC_NUMBER 0x1950a86a20f9469cfc6c: LONG1, 10 bytes, little-endian
    private static final byte[] LEGACY_MAGIC = {(byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
        (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
    private static final String RESAVE = "re-save it as a state dict with PyTorch >= 1.6: "
            + "torch.save(model.state_dict(), path) (without _use_new_zipfile_serialization=False)";

    private TorchCheckpoint() {
    }

    /**
     * The tensors of the PyTorch checkpoint at {@code path}, by name, in the order they were saved.
     *
     * <p>PyTorch: {@code torch.load(path, map_location="cpu", weights_only=True)}. The file is usually a state
     * dict ({@code torch.save(model.state_dict(), path)}), whose keys are returned as they are. Nested dicts are
     * flattened with dotted keys ({@code {"model": sd, "epoch": 3}} gives {@code model.0.weight}, ...) and values
     * that are not tensors are left out (logged at debug level). Views are copied into contiguous arrays of the
     * same dtype: float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool.
     *
     * @throws CheckpointException if the file cannot be read, is not a zip-format {@code torch.save} checkpoint
     *                             (legacy and TorchScript files are refused with advice on re-saving), or holds
     *                             anything other than plain data and tensors; the message names the problem
     */
    public static Map<String, Tensor> load(Path path) {
        return load(path, TorchLimits.DEFAULT);
    }

    /**
     * Whether {@code head}, the first bytes of a file, start the way a zip-format {@code torch.save} file does
     * (a zip local header, {@code "PK\3\4"}); four bytes suffice. Any zip matches: {@link #load} tells them apart.
     */
    public static boolean looksLikeTorchZip(byte[] head) {
        return startsWith(head, 0, ZIP_MAGIC);
    }

    /**
     * Whether {@code head} starts like any {@code torch.save} file: the zip format, or the legacy pre-1.6 format
     * (which {@link #load} refuses with advice). Needs the first 16 bytes to recognize the legacy format;
     * neither pattern can begin a safetensors file.
     */
    public static boolean looksLikeTorch(byte[] head) {
        return looksLikeTorchZip(head) || isLegacy(head);
    }

    private static boolean isLegacy(byte[] head) {
        // PROTO n, then (protocol 4+) an optional 9-byte FRAME, then the magic number
        return head != null && head.length >= 2 && (head[0] & 0xff) == 0x80
                && (startsWith(head, 2, LEGACY_MAGIC) || ((head.length > 2 && (head[2] & 0xff) == 0x95)
                && startsWith(head, 11, LEGACY_MAGIC)));
    }

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
        if (data == null || data.length < at + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static Map<String, Tensor> load(Path path, TorchLimits limits) {
        Objects.requireNonNull(path, "path");
        try {
            checkHead(path);
            try (BoundedZip zip = BoundedZip.open(path, limits)) {
                return load(zip, limits);
            }
        } catch (CheckpointException e) {
            throw new CheckpointException("cannot load PyTorch checkpoint " + path + ": " + e.getMessage(), e);
        }
    }

    private static void checkHead(Path path) {
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(32);
        } catch (IOException e) {
            throw new CheckpointException("cannot read the file (" + e + ")", e);
        }
        if (isLegacy(head)) {
            throw new CheckpointException("it is in the legacy torch.save format (PyTorch < 1.6, or "
                    + "_use_new_zipfile_serialization=False), which nn4j does not read; " + RESAVE);
        }
        if (!looksLikeTorchZip(head)) {
            throw new CheckpointException("it is not a zip-format torch.save file (it does not start with "
                    + "\"PK\\3\\4\")");
        }
    }

    private static Map<String, Tensor> load(BoundedZip zip, TorchLimits limits) {
        String prefix = archivePrefix(zip);
        ByteOrder order = byteOrder(zip, prefix);
        String pkl = prefix + "data.pkl";
        if (zip.size(pkl) > limits.maxPickleBytes()) {
            throw new CheckpointException(pkl + " is " + zip.size(pkl) + " bytes; at most "
                    + limits.maxPickleBytes() + " are accepted");
        }
        byte[] pickle = zip.read(pkl);
        Object root = Unpickler.load(pickle);
        StateDictFlattener.Result flat = StateDictFlattener.flatten(root, limits.maxDictDepth(),
                pickle.length + 1000L);
        if (!flat.skipped().isEmpty()) {
            LOG.debug("{}: left out {} non-tensor values: {}", pkl, flat.skipped().size(), flat.skipped());
        }
        checkStorages(zip, prefix, flat.tensors(), limits);
        return materialize(zip, prefix, order, flat.tensors());
    }

    /** The folder all entries live in: "archive/" or the file's stem, wherever torch.save put data.pkl. */
    private static String archivePrefix(BoundedZip zip) {
        String prefix = null;
        for (String name : zip.names()) {
            int slash = name.indexOf('/');
            String folder = slash < 0 ? "" : name.substring(0, slash + 1);
            if (name.startsWith(folder + "code/") || name.equals(folder + "constants.pkl")) {
                throw new CheckpointException("it is a TorchScript archive (torch.jit.save), which holds code as "
                        + "well as weights; nn4j reads state dicts only. In Python: m = torch.jit.load(path); "
                        + "torch.save(m.state_dict(), 'weights.pt')");
            }
            if (name.equals(folder + "data.pkl") && !folder.isEmpty()) {
                if (prefix != null) {
                    throw new CheckpointException("the zip holds two pickles, " + prefix + "data.pkl and " + name);
                }
                prefix = folder;
            }
        }
        if (prefix == null) {
            throw new CheckpointException("the zip has no <folder>/data.pkl entry, so it is not a torch.save file");
        }
        for (String name : zip.names()) {
            if (!name.startsWith(prefix)) {
                throw new CheckpointException("zip entry '" + name + "' lies outside the archive folder '"
                        + prefix + "'");
            }
        }
        return prefix;
    }

    private static ByteOrder byteOrder(BoundedZip zip, String prefix) {
        String entry = prefix + "byteorder";
        if (!zip.has(entry)) {
            return ByteOrder.LITTLE_ENDIAN; // written only since PyTorch 1.10; older files are little-endian
        }
        if (zip.size(entry) > 16) {
            throw new CheckpointException(entry + " is " + zip.size(entry) + " bytes; expected \"little\" or \"big\"");
        }
        String s = new String(zip.read(entry), StandardCharsets.ISO_8859_1);
        return switch (s) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw new CheckpointException(entry + " says \"" + s.replaceAll("[^ -~]", "?")
                    + "\"; expected \"little\" or \"big\"");
        };
    }

    /** Every check that needs the zip, done for all tensors before the first one is allocated. */
    private static void checkStorages(BoundedZip zip, String prefix, Map<String, TensorRef> tensors,
                                      TorchLimits limits) {
        long cap = limits.maxLoaded(zip.fileSize());
        long total = 0;
        for (Map.Entry<String, TensorRef> e : tensors.entrySet()) {
            TensorRef t = e.getValue();
            Storage s = t.storage();
            String entry = prefix + "data/" + s.key();
            if (!zip.has(entry)) {
                throw new CheckpointException("tensor '" + e.getKey() + "' uses storage '" + s.key()
                        + "', but the zip has no entry " + entry);
            }
            int es = s.dtype().elementSize;
            long entryBytes = zip.size(entry);
            // compare by division: numel comes from the file and numel * es may not fit a long
            if (s.numel() > entryBytes / es) {
                throw new CheckpointException("storage '" + s.key() + "' of tensor '" + e.getKey() + "' should hold "
                        + s.numel() + " " + s.dtype().dtypeName + " elements of " + es + " bytes, but " + entry
                        + " has only " + entryBytes + " bytes");
            }
            long limit = BoundedZip.MAX_ENTRY_BYTES / es;
            if (s.numel() > limit || t.numel() > limit) {
                throw new CheckpointException("tensor '" + e.getKey() + "' or its storage is larger than 2 GiB, "
                        + "which this reader does not support");
            }
            long tensorBytes = t.numel() * es;
            total += tensorBytes;
            if (total > cap) {
                throw new CheckpointException("the tensors would take more than " + cap + " bytes for a "
                        + zip.fileSize() + "-byte file (views expanded by their strides?); refused at '"
                        + e.getKey() + "'");
            }
        }
    }

    private static Map<String, Tensor> materialize(BoundedZip zip, String prefix, ByteOrder order,
                                                   Map<String, TensorRef> tensors) {
        // each storage is read once and dropped after its last tensor, so peak memory stays near one copy
        Map<String, String> lastUser = new HashMap<>();
        tensors.forEach((key, t) -> lastUser.put(t.storage().key(), key));
        Map<String, byte[]> cache = new HashMap<>();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : tensors.entrySet()) {
            TensorRef t = e.getValue();
            Storage s = t.storage();
            byte[] bytes = cache.computeIfAbsent(s.key(),
                    k -> zip.readPrefix(prefix + "data/" + k, s.numel() * s.dtype().elementSize));
            out.put(e.getKey(), Tensor.of(TensorReader.read(t, bytes, order)));
            if (lastUser.get(s.key()).equals(e.getKey())) {
                cache.remove(s.key());
            }
        }
        LOG.debug("loaded {} tensors from {} storages", out.size(), lastUser.size());
        return out;
    }
}

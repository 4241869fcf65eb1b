package dev.nn4j.io;

import dev.nn4j.core.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves and loads tensors, lists of tensors and named tensors (state dicts) as safetensors files.
 *
 * <p>PyTorch: {@code torch.save} / {@code torch.load}, in the format of {@code safetensors.torch.save_file} /
 * {@code load_file}: a file nn4j writes loads in Python and vice versa. Writes are atomic (a crash leaves the old
 * file or the new one, never a torn file) and loads refuse damaged or hostile files with a
 * {@link CheckpointException} naming the problem.
 * <pre>{@code
 * Checkpoint.save(net.stateDict(), Path.of("mlp.safetensors"));
 * clone.loadStateDict(Checkpoint.loadMap(Path.of("mlp.safetensors")));
 * }</pre>
 *
 * <p>How each kind is stored (see also the package documentation):
 * <ul>
 *   <li>a map: its entries in iteration order, nothing added, exactly what {@code save_file(tensors)} holds;</li>
 *   <li>a list: keys {@code "0"}, {@code "1"}, ... and {@code __metadata__} {@code {"nn4j.kind": "list"}};</li>
 *   <li>a single tensor: key {@code "tensor"} and {@code __metadata__} {@code {"nn4j.kind": "tensor"}}.</li>
 * </ul>
 * Loaded tensors are CPU leaves that do not require grad, of the dtype stored in the file.
 */
public final class Checkpoint {
    /** The {@code __metadata__} key recording what kind of value nn4j saved: {@code "tensor"} or {@code "list"}. */
    public static final String KIND_KEY = "nn4j.kind";
    /** The key of the tensor in a file written by {@link #save(Tensor, Path)}. */
    public static final String TENSOR_KEY = "tensor";

    private static final String KIND_TENSOR = "tensor";
    private static final String KIND_LIST = "list";

    private Checkpoint() {
    }

    /**
     * Saves one tensor under the key {@code "tensor"}. PyTorch: {@code torch.save(x, path)};
     * safetensors: {@code save_file({"tensor": x}, path, metadata={"nn4j.kind": "tensor"})}.
     *
     * @throws CheckpointException when the file cannot be written (any old file is left intact)
     */
    public static void save(Tensor tensor, Path path) {
        check(tensor, "tensor");
        check(path, "path");
        Map<String, Tensor> one = new LinkedHashMap<>();
        one.put(TENSOR_KEY, tensor);
        SafetensorsWriter.write(path, one, Map.of(KIND_KEY, KIND_TENSOR));
    }

    /**
     * Saves a list of tensors under the keys {@code "0"}, {@code "1"}, ... in list order.
     * PyTorch: {@code torch.save([x, y], path)}.
     *
     * @throws CheckpointException when the file cannot be written (any old file is left intact)
     */
    public static void save(List<Tensor> tensors, Path path) {
        check(tensors, "list");
        check(path, "path");
        Map<String, Tensor> indexed = new LinkedHashMap<>();
        for (int i = 0; i < tensors.size(); i++) {
            indexed.put(String.valueOf(i), tensors.get(i));
        }
        SafetensorsWriter.write(path, indexed, Map.of(KIND_KEY, KIND_LIST));
    }

    /**
     * Saves named tensors, e.g. a {@code stateDict()}, in the map's iteration order (header order = data order).
     * PyTorch: {@code torch.save(net.state_dict(), path)}; safetensors: {@code save_file(tensors, path)}.
     * A tensor tied under several names is stored once per name (safetensors' {@code save_file} refuses shared
     * storage; nn4j copies instead, and loading restores the same values under every name).
     *
     * @throws IllegalArgumentException for a null tensor or name, the reserved name {@code "__metadata__"}, or a
     *     dtype safetensors cannot store
     * @throws CheckpointException when the file cannot be written (any old file is left intact)
     */
    public static void save(Map<String, Tensor> tensors, Path path) {
        save(tensors, path, Map.of());
    }

    /**
     * Saves named tensors with free-form string metadata in the header's {@code __metadata__}.
     * safetensors: {@code save_file(tensors, path, metadata={"format": "pt"})}. The key {@code "nn4j.kind"} is
     * reserved.
     *
     * @throws CheckpointException when the file cannot be written (any old file is left intact)
     */
    public static void save(Map<String, Tensor> tensors, Path path, Map<String, String> metadata) {
        check(tensors, "map");
        check(path, "path");
        check(metadata, "metadata");
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            if (m.getKey() == null || m.getValue() == null) {
                throw new IllegalArgumentException("Checkpoint.save: metadata keys and values must not be null, got "
                        + m.getKey() + "=" + m.getValue());
            }
            if (m.getKey().equals(KIND_KEY)) {
                throw new IllegalArgumentException("Checkpoint.save: metadata key \"" + KIND_KEY + "\" is reserved "
                        + "by nn4j (it marks files written by save(Tensor) and save(List))");
            }
        }
        SafetensorsWriter.write(path, tensors, metadata);
    }

    /**
     * Loads the tensor of a file that holds exactly one. PyTorch: {@code torch.load(path)} after
     * {@code torch.save(x, path)}.
     *
     * @throws CheckpointException when the file is damaged, holds no or several tensors, or was saved by nn4j as a
     *     list
     */
    public static Tensor loadTensor(Path path) {
        check(path, "path");
        SafetensorsReader.Contents c = SafetensorsReader.read(path);
        checkKind(path, c, KIND_TENSOR, "loadTensor");
        if (c.tensors().size() != 1) {
            throw new CheckpointException("checkpoint " + path + ": loadTensor needs a file holding exactly one "
                    + "tensor, but it holds " + c.tensors().size() + " " + c.tensors().keySet()
                    + "; use Checkpoint.loadMap");
        }
        return c.tensors().values().iterator().next();
    }

    /**
     * Loads a list saved by {@link #save(List, Path)}, or any safetensors file whose keys are exactly
     * {@code "0"} .. {@code "n-1"} (in any header order). PyTorch: {@code x, y = torch.load(path)}.
     *
     * @throws CheckpointException when the file is damaged, its keys are not list indices, or nn4j saved it as a
     *     single tensor
     */
    public static List<Tensor> loadList(Path path) {
        check(path, "path");
        SafetensorsReader.Contents c = SafetensorsReader.read(path);
        checkKind(path, c, KIND_LIST, "loadList");
        int n = c.tensors().size();
        Tensor[] out = new Tensor[n];
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            int i = listIndex(e.getKey());
            if (i < 0 || i >= n) {
                throw new CheckpointException("checkpoint " + path + ": key \"" + e.getKey() + "\" is not a list "
                        + "index; a list of " + n + " tensors has the keys \"0\" .. \"" + (n - 1) + "\""
                        + " (use Checkpoint.loadMap for named tensors)");
            }
            out[i] = e.getValue();
        }
        return new ArrayList<>(Arrays.asList(out));
    }

    /**
     * Loads every tensor of a checkpoint by name: a safetensors file (header order) or a PyTorch {@code torch.save}
     * state dict (zip format, read without executing anything; see {@link TorchCheckpoint}), recognized by content.
     * PyTorch: {@code net.load_state_dict(torch.load(path, weights_only=True))}; safetensors: {@code load_file(path)}.
     *
     * @throws CheckpointException when the file is damaged or hostile
     */
    public static Map<String, Tensor> loadMap(Path path) {
        check(path, "path");
        if (TorchCheckpoint.looksLikeTorch(head(path))) {
            return TorchCheckpoint.load(path);
        }
        return new LinkedHashMap<>(SafetensorsReader.read(path).tensors());
    }

    /** The first 16 bytes of the file (fewer if it is shorter), to tell the formats apart. */
    private static byte[] head(Path path) {
        if (!java.nio.file.Files.isRegularFile(path)) {
            return new byte[0]; // the safetensors reader reports what is wrong with the path
        }
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(path)) {
            return in.readNBytes(16);
        } catch (java.io.IOException e) {
            throw new CheckpointException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The header's {@code __metadata__} (empty when absent), reading only the header (still validated in full
     * against the file's size). safetensors: {@code safe_open(path, "pt").metadata()}.
     *
     * @throws CheckpointException when the file is damaged or hostile
     */
    public static Map<String, String> loadMetadata(Path path) {
        check(path, "path");
        return new LinkedHashMap<>(SafetensorsReader.read(path, false).metadata());
    }

    /** "-1" unless {@code key} is a canonical decimal index ("0", "17"; not "00", "+1", or beyond an int). */
    private static int listIndex(String key) {
        if (key.isEmpty() || key.length() > 10 || (key.length() > 1 && key.charAt(0) == '0')) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    /** Refuses a file that nn4j marked as another kind; foreign files (no mark) are judged by their keys. */
    private static void checkKind(Path path, SafetensorsReader.Contents c, String wanted, String method) {
        String kind = c.metadata().get(KIND_KEY);
        if (kind == null || kind.equals(wanted)) {
            return;
        }
        String use = switch (kind) {
            case KIND_TENSOR -> "Checkpoint.loadTensor";
            case KIND_LIST -> "Checkpoint.loadList";
            default -> "Checkpoint.loadMap";
        };
        throw new CheckpointException("checkpoint " + path + ": " + method + " cannot read it, it was saved as a "
                + kind + " (" + KIND_KEY + "=\"" + kind + "\"); use " + use);
    }

    private static void check(Object arg, String what) {
        if (arg == null) {
            throw new IllegalArgumentException("Checkpoint: " + what + " is null");
        }
    }
}

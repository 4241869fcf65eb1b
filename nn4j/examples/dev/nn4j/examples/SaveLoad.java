package dev.nn4j.examples;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.io.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** d2l "File I/O": tensors, lists and dicts of tensors, and a model's state dict loaded into a clone. */
public final class SaveLoad {
    private SaveLoad() {
    }

    /** Runs the section's cells, writing into {@code args[0]} (default: a temporary folder). */
    public static void main(String[] args) {
        Path dir;
        try {
            dir = args.length > 0 ? Files.createDirectories(Path.of(args[0])) : Files.createTempDirectory("nn4j-io");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Tensor x = Tensor.arange(4);
        Checkpoint.save(x, dir.resolve("x-file.safetensors"));
        System.out.println("x2: " + Checkpoint.loadTensor(dir.resolve("x-file.safetensors")));

        Tensor y = Tensor.zeros(4);
        Checkpoint.save(List.of(x, y), dir.resolve("x-files.safetensors"));
        List<Tensor> xy = Checkpoint.loadList(dir.resolve("x-files.safetensors"));
        System.out.println("(x2, y2): " + xy.get(0) + " " + xy.get(1));

        Map<String, Tensor> mydict = new LinkedHashMap<>();
        mydict.put("x", x);
        mydict.put("y", y);
        Checkpoint.save(mydict, dir.resolve("mydict.safetensors"));
        System.out.println("mydict2: " + Checkpoint.loadMap(dir.resolve("mydict.safetensors")));

        Rng.manualSeed(0);
        MLP net = new MLP();
        Tensor input = Tensor.randn(2, 20);
        Tensor out = net.call(input);
        Path params = dir.resolve("mlp.params.safetensors");
        Checkpoint.save(net.stateDict(), params);
        MLP clone = new MLP();
        clone.loadStateDict(Checkpoint.loadMap(params));
        clone.eval();
        System.out.println(clone);
        Tensor outClone = clone.call(input);
        System.out.println("Y_clone == Y: " + outClone.eq(out));
        System.out.println("all equal: " + (outClone.eq(out).to(org.nd4j.linalg.api.buffer.DataType.FLOAT).mean().item() == 1.0));
    }
}

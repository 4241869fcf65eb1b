package dev.nn4j.distributed;

import dev.nn4j.core.Tensor;
import dev.nn4j.io.Checkpoint;
import dev.nn4j.nn.Module;
import dev.nn4j.optim.Optimizer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checkpoints of data-parallel training: rank 0 writes the model's and the optimizer's state (the replicas are
 * equal, so one copy is the job's state) and every rank resumes from it. The file is a safetensors file
 * ({@link Checkpoint}) with the keys {@code model.<key>} and {@code optimizer.<key>}, written atomically, so a job
 * killed while saving leaves the previous checkpoint intact.
 * PyTorch: {@code if rank == 0: torch.save({...}, path)}, {@code dist.barrier()}, then
 * {@code load_state_dict(torch.load(path))} on every rank.
 *
 * <p>The path must be one every rank can read (a shared file system on a cluster).
 */
public final class DistributedCheckpoint {
    private static final String MODEL = "model.";
    private static final String OPTIMIZER = "optimizer.";

    private DistributedCheckpoint() {
    }

    /**
     * Rank 0 saves {@code model}'s and {@code optimizer}'s state with {@code metadata} (the epoch, the step: what
     * the program needs to resume); every rank returns once the file is complete.
     *
     * @throws DistributedException when another rank fails (rank 0's failure to write reaches it that way too)
     */
    public static void save(ProcessGroup group, Path path, Module model, Optimizer optimizer,
                            Map<String, String> metadata) {
        if (group.rank() == 0) {
            Map<String, Tensor> all = new LinkedHashMap<>();
            model.stateDict().forEach((k, v) -> all.put(MODEL + k, v));
            optimizer.stateDict().forEach((k, v) -> all.put(OPTIMIZER + k, v));
            try {
                Checkpoint.save(all, path, metadata);
            } catch (RuntimeException e) {
                group.abort(e); // the others are waiting at the barrier below: they fail now, with this cause
                throw e;
            }
        }
        group.barrier(); // nobody reads, or stops, before the file is there
    }

    /**
     * Every rank loads the state saved by {@link #save} into {@code model} and {@code optimizer} and returns the
     * metadata. Both loads are checked first: a refused load leaves model and optimizer as they were.
     *
     * @throws dev.nn4j.io.CheckpointException when the file is missing or damaged
     * @throws IllegalArgumentException when it does not fit the model or the optimizer
     */
    public static Map<String, String> load(ProcessGroup group, Path path, Module model, Optimizer optimizer) {
        Map<String, String> metadata;
        try {
            metadata = loadHere(path, model, optimizer);
        } catch (RuntimeException e) {
            group.abort(e); // the others are waiting at the barrier below: they fail now, with this cause
            throw e;
        }
        group.barrier();
        return metadata;
    }

    private static Map<String, String> loadHere(Path path, Module model, Optimizer optimizer) {
        Map<String, Tensor> all = Checkpoint.loadMap(path);
        Map<String, Tensor> modelState = new LinkedHashMap<>();
        Map<String, Tensor> optimizerState = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(MODEL)) {
                modelState.put(k.substring(MODEL.length()), v);
            } else if (k.startsWith(OPTIMIZER)) {
                optimizerState.put(k.substring(OPTIMIZER.length()), v);
            } else {
                throw new IllegalArgumentException("DistributedCheckpoint.load: " + path + " has the key \"" + k
                        + "\", neither model. nor optimizer.: not a checkpoint written by DistributedCheckpoint.save");
            }
        });
        Map<String, Tensor> optimizerBefore = optimizer.stateDict();
        optimizer.loadStateDict(optimizerState);
        try {
            model.loadStateDict(modelState);
        } catch (RuntimeException e) {
            optimizer.loadStateDict(optimizerBefore);
            throw e;
        }
        return Checkpoint.loadMetadata(path);
    }
}

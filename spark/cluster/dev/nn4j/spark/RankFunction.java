package dev.nn4j.spark;

import dev.nn4j.distributed.ProcessGroup;
import java.io.Serializable;
import java.util.Iterator;

/**
 * What one rank runs: typically build the model, wrap it in {@code DistributedDataParallel(model, group)} and
 * train on {@code shard}, this rank's partition of the data. Spark ships it to the executors, so it must be
 * serializable, and so must its result.
 *
 * @param <T> the data's element type
 * @param <R> what each rank returns to the driver (for instance rank 0's final loss)
 */
@FunctionalInterface
public interface RankFunction<T, R> extends Serializable {
    /** Runs this rank's part of the job. */
    R run(ProcessGroup group, Iterator<T> shard) throws Exception;
}

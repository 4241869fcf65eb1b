/**
 * Synchronous data parallelism: every rank (one process, or one thread in tests) holds a replica of the model,
 * computes gradients on its shard of each batch, and the gradients are averaged so that every rank takes the same
 * optimizer step. PyTorch: {@code torch.distributed} and {@code torch.nn.parallel.DistributedDataParallel}.
 *
 * <ul>
 *   <li>{@link dev.nn4j.distributed.ProcessGroup}: the collectives (all-reduce, broadcast, barrier) between the
 *       ranks, with two backends: {@link dev.nn4j.distributed.TcpRingProcessGroup}, a ring over TCP between
 *       processes or machines, and {@link dev.nn4j.distributed.LocalProcessGroup}, ranks as threads of one JVM.
 *   <li>{@link dev.nn4j.distributed.DistributedDataParallel}: the module wrapper that averages gradients after
 *       each backward, in buckets, and makes every replica start from rank 0's parameters.
 *   <li>{@link dev.nn4j.distributed.DistributedCheckpoint}: rank 0 saves model and optimizer state; every rank
 *       resumes from it.
 * </ul>
 *
 * <p>Nothing here hangs on a failed rank: every wait has a time-out, and a rank that fails closes its connections
 * so the others fail at once with a {@link dev.nn4j.distributed.DistributedException} naming it. Launching the
 * ranks is someone else's job: {@code dev.nn4j.spark.SparkRanks} does it with Spark's barrier mode.
 */
package dev.nn4j.distributed;

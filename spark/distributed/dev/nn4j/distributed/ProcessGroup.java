package dev.nn4j.distributed;

/**
 * The ranks of one data-parallel job and the collective operations between them.
 * PyTorch: {@code torch.distributed.ProcessGroup} with {@code dist.all_reduce}, {@code dist.broadcast} and
 * {@code dist.barrier}.
 *
 * <p>Every rank must make the same calls in the same order with the same lengths; a mismatch is reported, not
 * silently mixed. A rank that fails, closes its group or stops answering makes the calls of the others fail with a
 * {@link DistributedException} within the group's time-out, never hang. After a failure the group is broken: every
 * later call throws.
 *
 * <p>Results are identical on every rank, bit for bit, so replicas that apply them stay equal.
 */
public interface ProcessGroup extends AutoCloseable {
    /** This process's rank, 0 to {@code worldSize() - 1}. PyTorch: {@code dist.get_rank()}. */
    int rank();

    /** The number of ranks. PyTorch: {@code dist.get_world_size()}. */
    int worldSize();

    /**
     * Replaces {@code data[offset, offset + length)} on every rank with its elementwise sum over all ranks.
     * PyTorch: {@code dist.all_reduce(t, op=ReduceOp.SUM)}.
     */
    void allReduce(float[] data, int offset, int length);

    /** {@link #allReduce(float[], int, int)} for float64 values. */
    void allReduce(double[] data, int offset, int length);

    /**
     * Replaces {@code data[offset, offset + length)} on every rank with {@code root}'s.
     * PyTorch: {@code dist.broadcast(t, src=root)}.
     */
    void broadcast(float[] data, int offset, int length, int root);

    /** {@link #broadcast(float[], int, int, int)} for float64 values. */
    void broadcast(double[] data, int offset, int length, int root);

    /** Returns once every rank has called it. PyTorch: {@code dist.barrier()}. */
    default void barrier() {
        allReduce(new float[1], 0, 1);
    }

    /**
     * Leaves the group because this rank failed with {@code cause} outside the collectives: the other ranks' pending
     * and later calls fail with an error that names this rank and the cause. A launcher calls it when a rank's
     * code throws. PyTorch: {@code ProcessGroup.abort()}.
     */
    default void abort(Throwable cause) {
        close();
    }

    /**
     * Leaves the group: the connections close, so ranks still waiting on this one fail at once instead of at the
     * time-out. Idempotent. PyTorch: {@code dist.destroy_process_group()}.
     */
    @Override
    void close();
}

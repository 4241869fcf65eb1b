package dev.nn4j.distributed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ranks that are threads of one JVM, for tests and for trying a data-parallel program without a cluster: the
 * collectives meet at a barrier and sum in rank order, so every rank gets the same bits. Like the TCP ring, a rank
 * that closes its group or stops calling makes the others fail, at once or at the time-out.
 * PyTorch: the {@code gloo} backend with every rank on one host, as in its tests.
 */
public final class LocalProcessGroup extends SectionGroup {
    private final Shared shared;
    private final int rank;
    private int sequence;
    private volatile boolean closed;

    /** What the ranks of one group share: their contributions to the collective now running. */
    private static final class Shared {
        final CyclicBarrier barrier;
        final long timeoutNanos;
        final Section[] contributions;
        final String[] calls;
        volatile String failure;

        Shared(int worldSize, Duration timeout) {
            barrier = new CyclicBarrier(worldSize);
            timeoutNanos = timeout.toNanos();
            contributions = new Section[worldSize];
            calls = new String[worldSize];
        }
    }

    private LocalProcessGroup(Shared shared, int rank) {
        this.shared = shared;
        this.rank = rank;
    }

    /**
     * {@code worldSize} connected ranks, rank {@code i} at index {@code i}; hand each to its own thread.
     *
     * @param timeout how long a rank waits for the others at each collective before the group fails
     */
    public static List<ProcessGroup> create(int worldSize, Duration timeout) {
        if (worldSize < 1) {
            throw new IllegalArgumentException("worldSize must be at least 1, got " + worldSize);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        Shared shared = new Shared(worldSize, timeout);
        List<ProcessGroup> ranks = new ArrayList<>(worldSize);
        for (int r = 0; r < worldSize; r++) {
            ranks.add(new LocalProcessGroup(shared, r));
        }
        return ranks;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return shared.contributions.length;
    }

    @Override
    void allReduce(Section s) {
        String call = describe("allReduce", s, -1);
        Section[] all = meet(call, s);
        Object sum = s.newArray();
        for (Section c : all) {
            c.addTo(sum); // rank order: every rank adds the same numbers in the same order
        }
        await(call); // nobody writes its array before every rank has read it
        s.setFrom(sum);
    }

    @Override
    void broadcast(Section s, int root) {
        String call = describe("broadcast", s, root);
        Section[] all = meet(call, s);
        Object value = all[root].copy();
        await(call);
        s.setFrom(value);
    }

    private String describe(String op, Section s, int root) {
        return op + " #" + (sequence + 1) + (root >= 0 ? " from rank " + root : "") + " of " + s.length + " "
                + s.typeName() + " values";
    }

    /** Publishes this rank's section, waits for all, and checks that every rank made the same call. */
    private Section[] meet(String call, Section s) {
        if (closed) {
            throw new DistributedException("rank " + rank + ": " + call + " on a closed process group");
        }
        sequence++;
        shared.contributions[rank] = s;
        shared.calls[rank] = call;
        await(call);
        for (int r = 0; r < shared.calls.length; r++) {
            if (!shared.calls[r].equals(call)) {
                fail("rank " + rank + " called " + call + " but rank " + r + " called " + shared.calls[r]
                        + ": every rank must make the same collective calls in the same order");
            }
        }
        return shared.contributions.clone();
    }

    private void await(String call) {
        String earlier = shared.failure;
        if (earlier != null) {
            throw new DistributedException("rank " + rank + ": the process group failed earlier: " + earlier);
        }
        try {
            shared.barrier.await(shared.timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            fail("rank " + rank + ": " + call + ": not every rank arrived within "
                    + Duration.ofNanos(shared.timeoutNanos) + "; a rank has failed or stopped calling collectives");
        } catch (BrokenBarrierException e) {
            String why = shared.failure;
            throw new DistributedException("rank " + rank + ": " + call + " failed: "
                    + (why != null ? why : "another rank left the group"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("rank " + rank + ": interrupted during " + call);
        }
    }

    private void fail(String message) {
        if (shared.failure == null) {
            shared.failure = message;
        }
        shared.barrier.reset(); // wakes the ranks waiting, with BrokenBarrierException
        throw new DistributedException(message);
    }

    @Override
    public void abort(Throwable cause) {
        if (!closed && shared.failure == null) {
            shared.failure = "rank " + rank + " failed: " + cause;
        }
        close();
    }

    /** Leaves the group; not synchronized with the collectives, so another thread can stop one that waits. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // a rank that leaves never calls again: whoever still does fails now rather than at the time-out
        if (shared.failure == null) {
            shared.failure = "rank " + rank + " has closed the group";
        }
        shared.barrier.reset();
    }
}

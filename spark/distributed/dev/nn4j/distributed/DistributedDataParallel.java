package dev.nn4j.distributed;

import dev.nn4j.core.Autograd;
import dev.nn4j.core.NoGrad;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Storage;
import dev.nn4j.nn.Module;
import dev.nn4j.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Data-parallel training of a module: each rank runs it on its shard of the batch, and after every backward the
 * gradients are averaged over the ranks, so an optimizer step on any rank is the step a single process would take
 * on the whole batch. Replicas start equal: the constructor copies rank 0's parameters and buffers to every rank.
 * PyTorch: {@code DistributedDataParallel(module)}.
 *
 * <pre>{@code
 * DistributedDataParallel ddp = new DistributedDataParallel(model, group);
 * SGD opt = new SGD(ddp.parameters(), 0.1);
 * Tensor loss = Functional.crossEntropy(ddp.call(x), y);   // x: this rank's shard
 * loss.backward();                                        // gradients are averaged over the ranks here
 * opt.step();
 * }</pre>
 *
 * <p>The averaging runs once per backward that reaches this module's output, one all-reduce per bucket of about
 * {@code bucketCapMb} megabytes (parameters in reverse order, as PyTorch buckets them). A bucket's all-reduce
 * starts on a communication thread as soon as its parameters' gradients are final
 * ({@link Tensor#registerPostAccumulateGradHook}), while the backward computes the rest; the averages are written
 * once every gradient of the backward is final ({@link Autograd#queueCallback}). Every rank must run the same number of backward passes
 * through the wrapper; {@link #noSync()} skips the averaging for gradient accumulation. A parameter no rank used
 * keeps no gradient; one used on some ranks only is averaged with zeros for the others.
 *
 * <p>The state dict has the wrapped module's keys under {@code module.}, as PyTorch's has.
 */
public final class DistributedDataParallel extends Module implements AutoCloseable {
    private final Module module;
    private final ProcessGroup group;
    private final List<GradBucket> buckets;
    private volatile boolean syncEnabled = true;
    /** The backward ({@link Autograd#currentBackward}) whose averaging is queued, or null: one per backward. */
    private Object backwardToken;
    /** The post-accumulate hooks on the parameters, removed by {@link #close}. */
    private final List<dev.nn4j.core.RemovableHandle> hookHandles = new ArrayList<>();
    /**
     * One communication thread per process group, shared by every wrapper on it: collectives then leave each
     * rank in the order they were started, which is the same on every rank.
     */
    private static final java.util.Map<ProcessGroup, Comm> COMM =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /** A group's communication thread and how many all-reduces are queued or running on it. */
    private record Comm(java.util.concurrent.ExecutorService thread, java.util.concurrent.atomic.AtomicInteger busy) {
    }
    private volatile boolean broadcastBuffers = true;
    private final boolean hasBuffers;
    /** Each parameter's bucket. */
    private final java.util.Map<Parameter, Integer> bucketOf = new java.util.IdentityHashMap<>();
    /** Per bucket, its parameters whose gradient is not yet final in the backward now running. */
    private final int[] remaining;
    /** The next bucket to launch: they start in index order, the same on every rank. */
    private int nextLaunch;
    private final List<java.util.concurrent.Future<?>> inFlight = new ArrayList<>();


    /** Wraps {@code module}, with buckets of PyTorch's default 25 MB. */
    public DistributedDataParallel(Module module, ProcessGroup group) {
        this(module, group, 25);
    }

    /**
     * Wraps {@code module} for the ranks of {@code group}, copying rank 0's parameters and buffers to every rank.
     * PyTorch: {@code DistributedDataParallel(module, bucket_cap_mb=...)}.
     *
     * @throws IllegalStateException when a parameter is not initialized yet (run a forward pass of a lazy module
     *     first) or when this rank's module differs from rank 0's (names, shapes or dtypes)
     * @throws DistributedException when another rank fails
     */
    public DistributedDataParallel(Module module, ProcessGroup group, double bucketCapMb) {
        if (module == null || group == null) {
            throw new IllegalArgumentException("DistributedDataParallel: module and group must not be null");
        }
        if (!(bucketCapMb > 0)) {
            throw new IllegalArgumentException("bucketCapMb must be positive, got " + bucketCapMb);
        }
        this.module = registerModule("module", module);
        this.group = group;
        Map<String, Parameter> params = module.namedParameters();
        params.forEach((name, p) -> {
            if (p.isUninitialized()) {
                throw new IllegalStateException("DistributedDataParallel: parameter \"" + name + "\" is not "
                        + "initialized yet; run a forward pass of the lazy module before wrapping it");
            }
        });
        broadcastState(module, group);
        this.hasBuffers = !module.namedBuffers().isEmpty();
        this.buckets = bucketize(params.values(), (long) (bucketCapMb * (1 << 20)));
        this.remaining = new int[buckets.size()];
        for (int b = 0; b < buckets.size(); b++) {
            for (Parameter p : buckets.get(b).params()) {
                bucketOf.put(p, b);
                hookHandles.add(p.registerPostAccumulateGradHook(this::onFinal));
            }
        }
        resetBackward();
    }

    /** The wrapped module. PyTorch: {@code ddp.module}. */
    public Module module() {
        return module;
    }

    /** The group the gradients are averaged over. PyTorch: {@code ddp.process_group}. */
    public ProcessGroup processGroup() {
        return group;
    }

    @Override
    protected Tensor forward(Tensor x) {
        if (broadcastBuffers && hasBuffers && isTraining()) {
            syncBuffers(); // PyTorch's broadcast_buffers=True: rank 0's running statistics, every forward
        }
        Tensor y = module.call(x);
        if (y.requiresGrad() && !y.isLeaf() && NoGrad.isGradEnabled()) {
            y.registerHook(g -> {
                Object token = Autograd.currentBackward();
                if (syncEnabled && token != backwardToken) {
                    // a new backward (also after one that failed): fresh counters, one averaging
                    awaitQuietly();
                    resetBackward();
                    backwardToken = token;
                    Autograd.queueCallback(this::averageGradients);
                }
                return null;
            });
        }
        return y;
    }

    /**
     * A parameter's gradient is final in the backward now running: when that completes a bucket (and every bucket
     * before it has started), its all-reduce starts on the communication thread while the backward goes on, as
     * PyTorch's reducer overlaps communication with the rest of the backward.
     */
    private void onFinal(Tensor p) {
        Integer b = bucketOf.get(p);
        if (!syncEnabled || b == null || backwardToken == null || Autograd.currentBackward() != backwardToken) {
            return; // not a backward through this wrapper's output, or one under noSync
        }
        if (--remaining[b] == 0) {
            // the last bucket waits for the end of the backward and runs on this thread: little or no backward is
            // left to overlap, and the hand-off to the other thread costs more than a small model's whole exchange
            while (nextLaunch < buckets.size() - 1 && remaining[nextLaunch] == 0) {
                launch(nextLaunch++);
            }
        }
    }

    private void launch(int b) {
        GradBucket bucket = buckets.get(b);
        Comm c = comm();
        c.busy().incrementAndGet();
        inFlight.add(c.thread().submit(() -> {
            try {
                bucket.allReduce(group);
            } finally {
                c.busy().decrementAndGet();
            }
        }));
    }

    private Comm comm() {
        return COMM.computeIfAbsent(group, g -> new Comm(java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nn4j-ddp-rank" + g.rank());
            t.setDaemon(true);
            return t;
        }), new java.util.concurrent.atomic.AtomicInteger()));
    }

    /**
     * Averages every bucket's gradients over the ranks; runs at the end of a backward: starts the buckets that no
     * hook completed (parameters unused on this rank), waits for all, then writes the averages.
     */
    private void averageGradients() {
        backwardToken = null;
        try {
            for (java.util.concurrent.Future<?> f : inFlight) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable cause = e.getCause();
                    throw cause instanceof RuntimeException r ? r : new DistributedException(cause.toString(), cause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DistributedException("interrupted while averaging gradients", e);
                }
            }
            if (nextLaunch < buckets.size()) {
                // another wrapper on this group may still have collectives on the thread: they go first
                drain();
            }
            // the buckets no hook started, in order after those on the wire: on this thread
            while (nextLaunch < buckets.size()) {
                buckets.get(nextLaunch++).allReduce(group);
            }
            for (GradBucket b : buckets) {
                b.apply(group.worldSize());
            }
        } finally {
            awaitQuietly();
            resetBackward();
        }
    }

    /** Waits until the group's communication thread has run everything submitted to it so far. */
    private void drain() {
        Comm c = comm();
        if (c.busy().get() == 0) {
            return; // nothing of another wrapper's on the thread: no hand-off needed
        }
        try {
            c.thread().submit(() -> { }).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new DistributedException(e.getCause().toString(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DistributedException("interrupted while averaging gradients", e);
        }
    }

    /**
     * Stops this wrapper from averaging: removes its hooks from the parameters (so no backward pays for them any
     * more) and lets the module go with it. The process group stays open.
     */
    @Override
    public void close() {
        hookHandles.forEach(dev.nn4j.core.RemovableHandle::remove);
        hookHandles.clear();
        backwardToken = null;
        awaitQuietly();
    }

    /** Lets any all-reduce still running finish (a failed backward's), so none overlaps the next. */
    private void awaitQuietly() {
        for (java.util.concurrent.Future<?> f : inFlight) {
            try {
                f.get();
            } catch (Exception ignored) {
                // its failure was reported, or the group is broken and the next collective will say so
            }
        }
        inFlight.clear();
    }

    private void resetBackward() {
        for (int b = 0; b < buckets.size(); b++) {
            remaining[b] = buckets.get(b).params().size();
        }
        nextLaunch = 0;
    }

    /** Copies rank 0's buffers (batch norm's running statistics) to every rank. */
    private void syncBuffers() {
        broadcast(new java.util.ArrayList<>(module.namedBuffers().values()), group);
    }

    /**
     * Whether every forward in training mode first copies rank 0's buffers to this rank (default true), so the
     * replicas' running statistics stay equal. PyTorch: {@code DistributedDataParallel(..., broadcast_buffers=...)}.
     */
    public DistributedDataParallel broadcastBuffers(boolean broadcast) {
        this.broadcastBuffers = broadcast;
        return this;
    }

    /**
     * A scope in which backward passes accumulate gradients locally without averaging them; the first backward
     * after it averages everything accumulated. PyTorch: {@code with ddp.no_sync():}.
     */
    public Scope noSync() {
        boolean before = syncEnabled;
        syncEnabled = false;
        return () -> syncEnabled = before;
    }

    /** The scope of {@link #noSync()}: closing it restores averaging. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Gradient buckets: parameters in reverse order, split by dtype and by {@code capBytes}. */
    private static List<GradBucket> bucketize(java.util.Collection<Parameter> params, long capBytes) {
        List<Parameter> order = new ArrayList<>();
        for (Parameter p : params) {
            if (!p.requiresGrad()) {
                continue;
            }
            if (p.dtype() != DataType.FLOAT && p.dtype() != DataType.DOUBLE) {
                throw new IllegalStateException("DistributedDataParallel: parameter of dtype " + p.dtype()
                        + " is not supported (float32 and float64 are)");
            }
            order.add(p);
        }
        Collections.reverse(order); // the backward finishes the last layers first
        List<GradBucket> out = new ArrayList<>();
        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            List<Parameter> current = new ArrayList<>();
            long bytes = 0;
            for (Parameter p : order) {
                if (p.dtype() != type) {
                    continue;
                }
                long size = p.numel() * (type == DataType.FLOAT ? 4 : 8);
                if (!current.isEmpty() && (bytes + size > capBytes || bytes + size > Integer.MAX_VALUE / 2)) {
                    out.add(new GradBucket(current));
                    current = new ArrayList<>();
                    bytes = 0;
                }
                current.add(p);
                bytes += size;
            }
            if (!current.isEmpty()) {
                out.add(new GradBucket(current));
            }
        }
        return out;
    }

    /**
     * Copies rank 0's parameters and buffers to this rank, after checking that both modules have the same names,
     * shapes and dtypes. PyTorch: {@code _sync_module_states}.
     */
    static void broadcastState(Module module, ProcessGroup group) {
        Map<String, Tensor> state = new java.util.LinkedHashMap<>(module.namedParameters());
        state.putAll(module.namedBuffers());
        StringBuilder signature = new StringBuilder();
        long doubles = 0;
        long floats = 0;
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            Tensor t = e.getValue();
            signature.append(e.getKey()).append(java.util.Arrays.toString(t.shape())).append(t.dtype()).append(';');
            if (t.dtype() == DataType.FLOAT) {
                floats += t.numel();
            } else {
                doubles += t.numel();
            }
        }
        double[] mine = {signature.toString().hashCode(), floats, doubles};
        double[] root = mine.clone();
        group.broadcast(root, 0, root.length, 0);
        // every rank learns whether any differs, so all refuse together instead of one refusing alone
        double[] differ = {java.util.Arrays.equals(mine, root) ? 0 : 1 << group.rank() % 30};
        group.allReduce(differ, 0, 1);
        if (differ[0] != 0) {
            throw new IllegalStateException("DistributedDataParallel: " + (java.util.Arrays.equals(mine, root)
                    ? "another rank's module differs from rank 0's" : "rank " + group.rank() + "'s module differs "
                    + "from rank 0's") + " (parameter and buffer names, shapes or dtypes); every rank must build "
                    + "the same model");
        }
        broadcast(new java.util.ArrayList<>(state.values()), group);
    }

    /** Replaces {@code tensors} on every rank with rank 0's: float32 as float32, anything else as float64. */
    private static void broadcast(List<Tensor> tensors, ProcessGroup group) {
        long floats = 0;
        long doubles = 0;
        for (Tensor t : tensors) {
            if (t.dtype() == DataType.FLOAT) {
                floats += t.numel();
            } else {
                doubles += t.numel();
            }
        }
        float[] f = new float[Math.toIntExact(floats)];
        double[] d = new double[Math.toIntExact(doubles)];
        int fi = 0;
        int di = 0;
        for (Tensor t : tensors) {
            Storage s = t.storage();
            int n = (int) t.numel();
            if (t.dtype() == DataType.FLOAT) {
                s.readFloats().get(0, f, fi, n);
                fi += n;
            } else {
                s.readDoubles().get(0, d, di, n); // float64 as is; integer counters are exact below 2^53
                di += n;
            }
        }
        if (f.length > 0) {
            group.broadcast(f, 0, f.length, 0);
        }
        if (d.length > 0) {
            group.broadcast(d, 0, d.length, 0);
        }
        fi = 0;
        di = 0;
        try (NoGrad scope = NoGrad.enter()) {
            for (Tensor t : tensors) {
                Storage s = t.storage();
                int n = (int) t.numel();
                if (t.dtype() == DataType.FLOAT) {
                    s.assign(f, fi);
                    fi += n;
                } else {
                    s.assign(d, di);
                    di += n;
                }
            }
        }
    }
}

package dev.nn4j.core;

import dev.nn4j.core.kernel.Blas;
import dev.nn4j.core.kernel.GradTarget;
import dev.nn4j.core.kernel.Storage;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A leaf's gradient and the buffer kept for its next one, behind one private lock. Internal to the engine.
 *
 * <p>Why a kept buffer: a parameter's gradient is as large as the parameter, and a training loop clears it every
 * step. A gradient the engine made and never handed out ({@link #grad()} hands it out) keeps its buffer when
 * cleared, and the next backward writes into it: PyTorch's caching allocator in small, so the steady state
 * allocates no gradient memory, and BLAS can write a weight gradient straight into a direct buffer
 * ({@link GradTarget}). A gradient someone took is never reused behind their back, as in PyTorch.
 *
 * <p>Locking: every access holds {@link #lock}, which nobody outside this class can take, so no user code can
 * deadlock with the engine. An op that writes several leaves' gradients in place holds all their locks at once,
 * taken in the order of {@link #id}, which is unique: two threads cannot take the same locks in opposite orders.
 */
final class GradState {
    private static final AtomicLong IDS = new AtomicLong();

    /** Orders this state's lock among others'; unique per state, so there are no ties. */
    private final long id = IDS.getAndIncrement();
    private final Object lock = new Object();
    private final Tensor owner;
    private Tensor grad;
    /** {@link #grad} was made by the engine and never handed out, so its buffer may be reused once cleared. */
    private boolean enginesOwn;
    /** A cleared engine-owned gradient's buffer, kept for the next backward. */
    private Storage spare;
    /** The cleared engine-owned gradient tensor itself, used again as the next gradient when it wraps the spare. */
    private Tensor shell;

    /** Hooks run once this leaf's gradient is final in a backward ({@link Tensor#registerPostAccumulateGradHook}). */
    private volatile java.util.List<java.util.function.Consumer<Tensor>> postHooks;

    boolean hasPostHooks() {
        java.util.List<java.util.function.Consumer<Tensor>> h = postHooks;
        return h != null && !h.isEmpty();
    }

    synchronized RemovableHandle addPostHook(java.util.function.Consumer<Tensor> hook) {
        if (postHooks == null) {
            postHooks = new java.util.concurrent.CopyOnWriteArrayList<>();
        }
        java.util.function.Consumer<Tensor> own = hook::accept; // a registration of its own, removed alone
        return register(postHooks, own);
    }

    /**
     * Adds {@code own} to {@code hooks}, counted in {@link LeafReadiness#REGISTERED} (a backward then plans when
     * leaves are final); the handle removes this registration only.
     */
    private static <H> RemovableHandle register(java.util.List<H> hooks, H own) {
        hooks.add(own);
        LeafReadiness.REGISTERED.incrementAndGet();
        return () -> {
            if (hooks.removeIf(x -> x == own)) {
                LeafReadiness.REGISTERED.decrementAndGet();
            }
        };
    }

    /** Hooks run with this leaf's whole gradient of a backward before it is accumulated ({@link Tensor#registerHook}). */
    private volatile java.util.List<java.util.function.UnaryOperator<Tensor>> preHooks;

    boolean hasPreHooks() {
        java.util.List<java.util.function.UnaryOperator<Tensor>> h = preHooks;
        return h != null && !h.isEmpty();
    }

    synchronized RemovableHandle addPreHook(java.util.function.UnaryOperator<Tensor> hook) {
        if (preHooks == null) {
            preHooks = new java.util.concurrent.CopyOnWriteArrayList<>();
        }
        java.util.function.UnaryOperator<Tensor> own = hook::apply; // a registration of its own, removed alone
        return register(preHooks, own);
    }

    /**
     * {@code g} after this leaf's hooks, each seeing the previous one's result and free to replace it (a null
     * return keeps it). The gradient a hook sees is handed out, so nothing writes over it afterwards.
     */
    Storage runPreHooks(Storage g) {
        java.util.List<java.util.function.UnaryOperator<Tensor>> hooks = preHooks;
        if (hooks == null) {
            return g;
        }
        for (java.util.function.UnaryOperator<Tensor> h : hooks) {
            g.share();
            Tensor replaced = h.apply(new Tensor(g, owner.device()));
            if (replaced != null) {
                Node.checkHookResult(replaced, g, owner.device());
                g = replaced.storage();
            }
        }
        return g;
    }

    void runPostAccumulateHooks(Tensor owner) {
        java.util.List<java.util.function.Consumer<Tensor>> h = postHooks;
        if (h != null) {
            for (java.util.function.Consumer<Tensor> hook : h) {
                hook.accept(owner);
            }
        }
    }

    GradState(Tensor owner) {
        this.owner = owner;
    }

    // ---------------------------------------------------------------- what Tensor's public methods read

    /** The gradient, handed out: its buffer is never reused from now on. */
    Tensor grad() {
        synchronized (lock) {
            enginesOwn = false;
            if (grad == shell) {
                shell = null;
            }
            return grad;
        }
    }

    /** The gradient's data, or null, without handing the gradient out (for optimizers). */
    Storage storage() {
        synchronized (lock) {
            Tensor g = grad;
            return g == null ? null : g.storage();
        }
    }

    /** Replaces the gradient (null clears it, keeping an engine-owned buffer for the next backward). */
    void set(Tensor g) {
        synchronized (lock) {
            if (g == null && grad != null && enginesOwn && owner.requiresGrad()) {
                spare = grad.storage();
                shell = grad;
            }
            grad = g;
            enginesOwn = false;
        }
    }

    /** Forgets the kept buffer: the leaf was frozen, or moved to another device or dtype. */
    void dropSpare() {
        synchronized (lock) {
            spare = null;
            shell = null;
        }
    }

    /** The kept buffer, or null (for tests). */
    Storage spare() {
        synchronized (lock) {
            return spare;
        }
    }

    // ---------------------------------------------------------------- what the engine calls

    /**
     * Adds {@code g} into the gradient: in place when there is one; else into the kept buffer; else {@code g}
     * itself becomes the gradient when it is a kernel's unshared result; else a copy of it (it may be another
     * input's gradient or the seed).
     */
    void accumulate(Storage g) {
        synchronized (lock) {
            Tensor current = grad;
            if (current != null) {
                current.storage().addScaled(g, 1.0);
                return;
            }
            Storage s = takeSpare();
            if (s != null) {
                s.assign(g);
            } else {
                s = g.claim() ? g : g.copy();
            }
            setEngineOwned(s);
        }
    }

    /**
     * Runs {@code fn}'s backward with the gradient buffers of {@code leaves} (by input position, null elsewhere)
     * offered as in-place targets, holding every one of their locks, taken in {@link #id} order.
     */
    static Storage[] backwardInto(Node fn, Storage g, Tensor[] inputs, Tensor[] leaves) {
        GradState[] states = new GradState[leaves.length];
        int[] order = new int[leaves.length];
        int n = 0;
        for (int i = 0; i < leaves.length; i++) {
            if (leaves[i] != null) {
                states[i] = leaves[i].gradState();
                order[n++] = i;
            }
        }
        for (int a = 1; a < n; a++) { // insertion sort: an op has a handful of inputs
            int v = order[a];
            int b = a;
            while (b > 0 && states[order[b - 1]].id > states[v].id) {
                order[b] = order[b - 1];
                b--;
            }
            order[b] = v;
        }
        return lockInOrder(fn, g, inputs.length, states, order, n, 0);
    }

    private static Storage[] lockInOrder(Node fn, Storage g, int arity, GradState[] states, int[] order, int n,
                                         int k) {
        if (k == n) {
            return backwardLocked(fn, g, arity, states);
        }
        synchronized (states[order[k]].lock) {
            return lockInOrder(fn, g, arity, states, order, n, k + 1);
        }
    }

    /** {@link #backwardInto}, every state's lock held. */
    private static Storage[] backwardLocked(Node fn, Storage g, int arity, GradState[] states) {
        GradTarget[] targets = null;
        for (int i = 0; i < states.length; i++) {
            GradState st = states[i];
            GradTarget target = st == null ? null : st.target();
            if (target != null) {
                if (targets == null) {
                    targets = new GradTarget[arity];
                }
                targets[i] = target;
            }
        }
        if (targets == null) {
            return fn.backward(g);
        }
        fn.targets = targets;
        try {
            return fn.backward(g);
        } finally {
            fn.targets = null;
            for (int i = 0; i < targets.length; i++) {
                GradTarget target = targets[i];
                if (target == null || target.accumulate()) {
                    continue;
                }
                if (target.written()) {
                    states[i].setEngineOwned(target.storage());
                } else {
                    states[i].spare = target.storage(); // not used this time: keep it for the next
                }
            }
        }
    }

    /**
     * The buffer an op may write this leaf's gradient into: the current gradient to add to, or the kept buffer to
     * set, when BLAS can write it in place; else null. The lock is held.
     */
    private GradTarget target() {
        assert Thread.holdsLock(lock);
        Tensor current = grad;
        if (current != null) {
            return current.storage().isDirect() ? new GradTarget(current.storage(), true) : null;
        }
        Storage s = takeSpare();
        if (s == null) {
            return null;
        }
        if (s.isDirect()) {
            return new GradTarget(s, false);
        }
        spare = s;
        return null;
    }

    /**
     * Takes the kept buffer, or null when there is none or it no longer fits the leaf's shape or dtype. A heap
     * buffer is swapped for a direct one on the CPU backend (once: that one is kept from then on), so BLAS can
     * write it and optimizers update through it in place. The lock is held.
     */
    private Storage takeSpare() {
        Storage s = spare;
        spare = null;
        if (s == null || s.type() != owner.dtype() || !Arrays.equals(s.shape(), owner.storage().shape())) {
            return null;
        }
        if (!s.isDirect() && s.isFloating() && s.size() > 0 && Blas.directBlas()) {
            s = Storage.direct(s.type(), s.shape());
        }
        return s;
    }

    /** Makes {@code s} the gradient, engine-owned; the tensor that last wrapped it is used again. Lock held. */
    private void setEngineOwned(Storage s) {
        Tensor sh = shell;
        grad = sh != null && sh.storage() == s && sh.device().equals(owner.device()) ? sh : new Tensor(s, owner.device());
        enginesOwn = true;
    }
}

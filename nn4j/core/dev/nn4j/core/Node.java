package dev.nn4j.core;

import dev.nn4j.core.kernel.GradTarget;
import dev.nn4j.core.kernel.Reductions;
import dev.nn4j.core.kernel.Storage;
import dev.nn4j.device.Device;

/**
 * A node of the autograd graph: one recorded operation, holding what its backward needs.
 *
 * <p>PyTorch: the object behind {@code tensor.grad_fn}. Each op is a subclass in {@code dev.nn4j.core.ops}
 * whose static {@code apply} computes the forward and whose {@link #backward} returns the gradient for each input,
 * side by side. Subclasses return gradients in the broadcast output's shape when that is simpler: the engine
 * reduces each one back to its input's shape in one place ({@link Reductions#sumToShape}).
 *
 * <p>The rules an op follows, each enforced rather than only written (see {@code OpRulesTest}):
 * <ul>
 *   <li>It computes only through the kernels of {@code dev.nn4j.core.kernel}: it never touches elements, and the
 *       live arrays are not even reachable from its package.
 *   <li>What the backward reads goes through {@link #save}, which hands back an index for {@link #saved}: the
 *       node holds no data in fields, so releasing the graph frees everything and an in-place write to a saved
 *       value since the forward is refused.
 *   <li>It is listed in the op table that drives the parity tests and the coverage check.
 * </ul>
 */
public abstract class Node {
    private Tensor[] inputs;
    private boolean[] needsGrad;
    private boolean released;
    private Storage[] saved;
    private int[] savedVersions;
    private int savedCount;
    /** Sum of the gradients that reached this node's output during the current backward pass. */
    Storage pendingGrad;
    /**
     * True when {@link #pendingGrad} is a buffer the engine made (a sum, or zeros that ops add into), which later
     * gradients may therefore be added to in place; false when it is some op's result, which may alias another's.
     */
    boolean pendingOwned;
    /** Where the current backward may write an input's gradient in place (see {@link GradTarget}); else null. */
    GradTarget[] targets;
    /**
     * One more than the highest level among the nodes that made this node's inputs (leaves count as 0): every
     * consumer of a node has a higher level, which orders the backward (see {@link ReadyQueue}).
     */
    int level;

    /** Hooks on the output's gradient ({@link Tensor#registerHook}); null until one is registered. */
    private volatile java.util.List<GradHook> gradHooks;

    /** A hook with the device of the tensor it was registered on, which the gradient it sees lives on. */
    private record GradHook(java.util.function.UnaryOperator<Tensor> fn, Device device) {
    }

    /** Gradients for each input given the gradient of the output; {@code null} where none is needed. */
    protected abstract Storage[] backward(Storage gradOutput);

    /** The name printed in {@code grad_fn=<...>}, PyTorch style: {@code AddmmBackward}. */
    public String name() {
        return getClass().getSimpleName() + "Backward";
    }

    /**
     * Keeps {@code s} for the backward and remembers its version, so that an in-place write to it before the
     * backward is reported instead of silently giving wrong gradients. Returns the index that {@link #saved}
     * reads it back with.
     */
    protected final int save(Storage s) {
        s.share(); // a saved value is never a buffer a later kernel may take over
        if (saved == null) {
            saved = new Storage[2];
            savedVersions = new int[2];
        } else if (savedCount == saved.length) {
            saved = java.util.Arrays.copyOf(saved, savedCount * 2);
            savedVersions = java.util.Arrays.copyOf(savedVersions, savedCount * 2);
        }
        savedVersions[savedCount] = s.version();
        saved[savedCount] = s;
        return savedCount++;
    }

    /**
     * The value saved as {@code index} by {@link #save}.
     *
     * @throws IllegalStateException once the graph was released by a backward
     */
    protected final Storage saved(int index) {
        if (released) {
            throw new IllegalStateException("saved values of " + name() + " were freed by an earlier backward; "
                    + "pass retainGraph to keep them");
        }
        return saved[index];
    }

    /** Refuses to run the backward when a saved value was modified in place since the forward. */
    void checkSaved() {
        if (saved == null) {
            return;
        }
        for (int i = 0; i < savedCount; i++) {
            Storage s = saved[i];
            if (s.version() != savedVersions[i]) {
                throw new IllegalStateException("one of the variables needed for gradient computation has been "
                        + "modified by an inplace operation: [" + s.type() + " " + Shapes.str(s.shape()) + "] is at "
                        + "version " + s.version() + "; expected version " + savedVersions[i] + " instead (in "
                        + name() + "). Modify it after backward(), or work on a copy.");
            }
        }
    }

    /**
     * Whether this op's backward can write input {@code i}'s gradient straight into a buffer it is given
     * ({@link #gradTarget}); false unless overridden. Linear's weight and bias do: BLAS writes the weight gradient
     * and a loop the bias gradient into the parameters' own {@code grad} buffers. When several inputs do, the
     * engine locks their leaves in one global order, whatever the input order.
     */
    protected boolean writesGradInPlace(int i) {
        return false;
    }

    /**
     * Whether this op's backward can add input {@code i}'s gradient into a buffer of the input's shape that the
     * engine offers when the input is not a leaf ({@link #gradTarget}, a Java array it owns: the sum of the
     * gradients that reached the input so far, or zeros); false unless overridden. For slices: their gradient is
     * small, the input's large (see {@code Index}).
     */
    protected boolean addsGradIntoInput(int i) {
        return false;
    }

    /**
     * The buffer the backward now running should write input {@code i}'s gradient into, or null (then it returns
     * the gradient as usual). When it writes it, it calls {@link GradTarget#markWritten} and returns null for
     * that input.
     */
    protected final GradTarget gradTarget(int i) {
        GradTarget[] t = targets;
        return t == null ? null : t[i];
    }

    /** Whether input {@code i} needs a gradient (so the backward may skip work for it). */
    protected final boolean needsInputGrad(int i) {
        return needsGrad[i];
    }

    /** True when an op applied now to {@code inputs} would be recorded. */
    protected static boolean recording(Tensor... inputs) {
        if (!NoGrad.isGradEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks that every input lives on one device and returns it.
     *
     * @throws IllegalArgumentException naming both devices and the op, as PyTorch does
     */
    protected static Device sameDevice(String op, Tensor... inputs) {
        return commonDevice(op, null, inputs);
    }

    /** {@link #sameDevice}, naming {@code fn} (or {@code op} when given) only if the devices differ. */
    private static Device commonDevice(String op, Node fn, Tensor[] inputs) {
        Device d = null;
        for (Tensor t : inputs) {
            if (t == null) {
                continue;
            }
            if (d == null) {
                d = t.device();
            } else if (!d.equals(t.device())) {
                throw new IllegalArgumentException("Expected all tensors to be on the same device, but found "
                        + d + " and " + t.device() + " (in " + (op != null ? op : fn != null ? fn.name() : "op") + ")");
            }
        }
        if (d == null) {
            return Device.CPU;
        }
        if (d.isCuda()) {
            // under nd4j-cuda the kernels run on the device the calling thread is bound to
            dev.nn4j.device.Devices.backend().bindThread(d);
        }
        return d;
    }

    /**
     * Wraps {@code out} as the op's result and, when recording, links it to {@code fn} and the inputs.
     * {@code fn} may be null for an op that is never differentiable (its result never requires grad).
     */
    protected static Tensor record(Node fn, Storage out, Tensor... inputs) {
        return recordOn(commonDevice(null, fn, inputs), fn, out, inputs);
    }

    /** {@link #record(Node, Storage, Tensor...)} for a result placed on {@code device} (device moves). */
    protected static Tensor recordOn(Device device, Node fn, Storage out, Tensor... inputs) {
        Tensor result = new Tensor(out, device);
        if (fn != null && recording(inputs)) {
            fn.inputs = inputs.clone();
            fn.needsGrad = new boolean[inputs.length];
            int below = 0;
            for (int i = 0; i < inputs.length; i++) {
                Tensor in = inputs[i];
                fn.needsGrad[i] = in != null && in.requiresGrad();
                Node producer = in == null ? null : in.gradFn();
                if (producer != null && producer.level > below) {
                    below = producer.level;
                }
            }
            fn.level = below + 1;
            result.attach(fn);
        }
        return result;
    }

    /** The data of {@code t}, for the kernels. */
    protected static Storage storage(Tensor t) {
        return t.storage();
    }

    Tensor[] inputs() {
        return inputs;
    }

    synchronized RemovableHandle addGradHook(java.util.function.UnaryOperator<Tensor> fn, Device device) {
        GradHook h = new GradHook(fn, device);
        java.util.List<GradHook> hooks = gradHooks;
        if (hooks == null) {
            hooks = new java.util.concurrent.CopyOnWriteArrayList<>();
            gradHooks = hooks;
        }
        hooks.add(h);
        java.util.List<GradHook> in = hooks;
        return () -> in.removeIf(x -> x == h); // this registration only, however often the hook was added
    }

    /**
     * The output gradient after this node's hooks, each of which sees the previous one's result and may replace
     * it (a null return keeps it). The gradient a hook sees is handed out, so no later kernel may write over it.
     */
    Storage runGradHooks(Storage g) {
        java.util.List<GradHook> hooks = gradHooks;
        if (hooks == null || hooks.isEmpty()) {
            return g;
        }
        for (GradHook h : hooks) {
            g.share();
            Tensor replaced = h.fn().apply(new Tensor(g, h.device()));
            if (replaced != null) {
                checkHookResult(replaced, g, h.device());
                g = replaced.storage();
            }
        }
        return g;
    }

    /** A hook's replacement gradient must be the gradient's shape, dtype and device, as PyTorch requires. */
    static void checkHookResult(Tensor replaced, Storage g, Device device) {
        if (!java.util.Arrays.equals(replaced.shape(), g.shape())) {
            throw new IllegalArgumentException("a gradient hook returned shape " + Shapes.str(replaced.shape())
                    + " for a gradient of shape " + Shapes.str(g.shape()));
        }
        if (replaced.dtype() != g.type() || !replaced.device().equals(device)) {
            throw new IllegalArgumentException("a gradient hook changed the gradient's type: it was " + g.type()
                    + " on " + device + ", the hook returned " + replaced.dtype() + " on " + replaced.device());
        }
    }


    boolean isReleased() {
        return released;
    }

    void release() {
        released = true;
        inputs = null;
        pendingGrad = null;
        pendingOwned = false;
        saved = null;
        savedCount = 0;
    }
}

package dev.nn4j.core;

import dev.nn4j.core.kernel.Blas;
import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.GradTarget;
import dev.nn4j.core.kernel.Reductions;
import dev.nn4j.core.kernel.Storage;
import java.util.function.Function;

/**
 * The backward engine and the finite-difference gradient check.
 *
 * <p>PyTorch: {@code torch.autograd.backward} and {@code torch.autograd.gradcheck}. The graph is the chain of
 * {@link Node}s reachable from the output through {@code gradFn}: it belongs to the
 * tensors that made it, so one thread never sees another's operations, and once backward has run (without
 * {@code retainGraph}) every node drops its inputs and saved values, leaving nothing of the graph reachable.
 */
public final class Autograd {
    private Autograd() {
    }

    private static final double[] ONE = {1};

    /** Backpropagates from the scalar {@code root} (see {@link Tensor#backward()}). */
    static void backward(Tensor root) {
        if (root.numel() != 1) {
            throw new IllegalStateException("backward(): grad can be implicitly created only for scalar outputs, "
                    + "got shape " + Shapes.str(root.shape()) + "; pass an explicit gradient: backward(gradient)");
        }
        Node.sameDevice("backward", root); // binds this thread to the tensor's device under nd4j-cuda
        Storage r = root.storage();
        Storage one;
        if (r.isFloating()) {
            one = Storage.fromDoubles(ONE, r.shape(), r.type()); // no lock, unlike fill
        } else {
            one = Storage.zeros(r.type(), r.shape());
            one.fill(1);
        }
        backward(root, one, false); // shaped, typed and placed as the root by construction
    }

    /** Backpropagates {@code gradient} from {@code root} (see {@link Tensor#backward(Tensor, boolean)}). */
    static void backward(Tensor root, Tensor gradient, boolean retainGraph) {
        if (gradient == null) {
            backward(root);
            return;
        }
        if (!java.util.Arrays.equals(gradient.shape(), root.shape())) {
            throw new IllegalArgumentException("backward: gradient has shape " + Shapes.str(gradient.shape())
                    + " but the output has shape " + Shapes.str(root.shape()));
        }
        Node.sameDevice("backward", root, gradient);
        backward(root, gradient.storage().cast(root.dtype()), retainGraph);
    }

    private static void backward(Tensor root, Storage seed, boolean retainGraph) {
        Node top = root.gradFn();
        if (top == null && !root.requiresGrad()) {
            throw new IllegalStateException("element 0 of tensors does not require grad and does not have a "
                    + "grad_fn: backward() needs an output computed from tensors with requiresGrad(true)");
        }
        if (top != null && top.isReleased()) {
            throw releasedGraph();
        }
        ReadyQueue queue = new ReadyQueue();
        java.util.ArrayDeque<Runnable> outer = CALLBACKS.get();
        java.util.ArrayDeque<Runnable> callbacks = new java.util.ArrayDeque<>(2);
        CALLBACKS.set(callbacks);
        try (NoGrad scope = NoGrad.enter()) {
            if (top == null) {
                // the root is a leaf: its own gradient, through its hooks, as for a leaf reached through a graph
                root.gradState().accumulate(root.gradState().runPreHooks(seed));
                root.gradState().runPostAccumulateHooks(root);
            } else {
                propagate(top, seed, retainGraph, queue);
            }
            for (Runnable r = callbacks.poll(); r != null; r = callbacks.poll()) {
                r.run(); // every gradient of this backward is final here
            }
        } finally {
            queue.clearPending();
            CALLBACKS.set(outer);
        }
    }

    /** Runs every node below {@code top}, from {@code seed}, and delivers the leaves' gradients. */
    private static void propagate(Node top, Storage seed, boolean retainGraph, ReadyQueue queue) {
        LeafReadiness readiness = LeafReadiness.plan(top);
        top.pendingGrad = seed; // may be the caller's own gradient: never added into
        top.pendingOwned = false;
        queue.push(top);
        while (!queue.isEmpty()) {
            Node fn = queue.pop();
            Storage g = fn.pendingGrad;
            fn.pendingGrad = null;
            fn.pendingOwned = false;
            if (fn.isReleased()) {
                // reached through a part of the graph that an earlier backward freed; as in PyTorch, the
                // leaves reached before this point have their gradients
                throw releasedGraph();
            }
            g = fn.runGradHooks(g);
            Tensor[] inputs = fn.inputs();
            fn.checkSaved();
            Tensor[] leaves = targetLeaves(fn, inputs);
            Storage[] grads = leaves != null ? GradState.backwardInto(fn, g, inputs, leaves)
                    : backwardIntoPending(fn, g, inputs, queue);
            for (int i = 0; i < grads.length; i++) {
                for (int j = i + 1; j < grads.length; j++) {
                    if (grads[i] != null && grads[i] == grads[j]) {
                        grads[i].share(); // one buffer for two inputs: nobody may take it over
                    }
                }
            }
            for (int i = 0; i < inputs.length; i++) {
                Tensor in = inputs[i];
                if (in == null || grads[i] == null || !fn.needsInputGrad(i)) {
                    continue; // also where a gradient was written in place
                }
                Storage gi = Reductions.sumToShape(grads[i], in.storage().shape()).cast(in.dtype());
                Node producer = in.gradFn();
                if (producer == null) {
                    if (in.requiresGrad() && (readiness == null || !readiness.collect(in, gi))) {
                        in.gradState().accumulate(gi);
                    }
                } else if (producer.pendingGrad == null) {
                    producer.pendingGrad = gi; // may alias another node's gradient: later sums are out of place
                    producer.pendingOwned = false;
                    queue.push(producer);
                } else if (producer.pendingOwned && producer.pendingGrad.type() == gi.type()
                        && java.util.Arrays.equals(producer.pendingGrad.shape(), gi.shape())) {
                    producer.pendingGrad.addScaled(gi, 1); // the engine's own sum: add in place
                } else {
                    producer.pendingGrad = Elementwise.binary(Elementwise.BinaryOp.ADD, producer.pendingGrad, gi,
                            gi.shape(), gi.type());
                    producer.pendingOwned = true;
                }
            }
            if (readiness != null) {
                for (int i = 0; i < inputs.length; i++) {
                    Tensor in = inputs[i];
                    if (in != null && in.gradFn() == null && fn.needsInputGrad(i)) {
                        readiness.edge(in, grads[i] != null || leaves != null && leaves[i] != null);
                    }
                }
            }
            if (!retainGraph) {
                fn.release();
            }
        }
        if (readiness != null) {
            readiness.finish();
        }
    }

    /** The callbacks queued during the backward running on this thread (null when none runs). */
    private static final ThreadLocal<java.util.ArrayDeque<Runnable>> CALLBACKS = new ThreadLocal<>();

    /**
     * A token for the backward now running on this thread (the same object throughout it, a new one for the next),
     * or null outside a backward: for hooks that keep per-backward state and must tell one backward from the next,
     * also after one that failed.
     */
    public static Object currentBackward() {
        return CALLBACKS.get();
    }

    /**
     * Queues {@code callback} to run once the backward now running on this thread has finished, when every leaf's
     * gradient for it is final; callbacks run in the order they were queued, only after a backward that
     * succeeded. Called from a gradient hook ({@link Tensor#registerHook}): this is how
     * {@code DistributedDataParallel} averages gradients across processes after each backward.
     * PyTorch: {@code Variable._execution_engine.queue_callback(callback)}.
     *
     * @throws IllegalStateException when no backward is running on this thread
     */
    public static void queueCallback(Runnable callback) {
        java.util.Objects.requireNonNull(callback, "callback");
        java.util.ArrayDeque<Runnable> q = CALLBACKS.get();
        if (q == null) {
            throw new IllegalStateException("queueCallback: no backward is running on this thread; call it from a "
                    + "gradient hook (Tensor.registerHook)");
        }
        q.add(callback);
    }

    /**
     * Runs {@code fn}'s backward, offering the ops that add an input's gradient in place
     * ({@link Node#addsGradIntoInput}) the gradient buffer of a non-leaf input: the sum the engine already holds for
     * it, or fresh zeros that become that sum. A slice's backward then adds its part into one buffer instead of
     * returning zeros of the whole input's size for the engine to add (see {@code Index}).
     */
    private static Storage[] backwardIntoPending(Node fn, Storage g, Tensor[] inputs, ReadyQueue queue) {
        GradTarget[] targets = null;
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in == null || !fn.addsGradIntoInput(i) || !fn.needsInputGrad(i) || in.gradFn() == null
                    || !in.storage().isFloating()) {
                continue;
            }
            boolean once = true;
            for (int j = 0; j < inputs.length; j++) {
                once &= j == i || inputs[j] != in;
            }
            Node producer = in.gradFn();
            Storage pending = producer.pendingGrad;
            GradTarget t = !once ? null
                    : pending == null ? new GradTarget(Storage.heapZeros(in.dtype(), in.storage().shape()), true)
                    : producer.pendingOwned && pending.type() == in.dtype()
                            && java.util.Arrays.equals(pending.shape(), in.storage().shape())
                            ? new GradTarget(pending, true) : null;
            if (t != null) {
                if (targets == null) {
                    targets = new GradTarget[inputs.length];
                }
                targets[i] = t;
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
                Node producer = targets[i] == null || !targets[i].written() ? null : inputs[i].gradFn();
                if (producer != null && producer.pendingGrad == null) {
                    producer.pendingGrad = targets[i].storage();
                    producer.pendingOwned = true;
                    queue.push(producer);
                }
            }
        }
    }

    /**
     * The leaf inputs of {@code fn} whose gradients its backward may write in place (by input position; null
     * elsewhere), or null when there is none. Only a leaf that requires grad, appears once among the inputs, and
     * has (or had, before it was cleared) a gradient buffer that BLAS can write: a first backward goes the ordinary
     * way, and the buffers are reused from then on.
     */
    private static Tensor[] targetLeaves(Node fn, Tensor[] inputs) {
        if (!Blas.directBlas()) {
            return null;
        }
        Tensor[] leaves = null;
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in == null || !fn.writesGradInPlace(i) || !fn.needsInputGrad(i) || in.gradFn() != null
                    || !in.requiresGrad() || !in.storage().isFloating() || in.storage().size() == 0
                    || in.hasLeafGradHooks()) { // hooks see the gradient before it reaches grad
                continue;
            }
            boolean once = true;
            for (int j = 0; j < inputs.length; j++) {
                once &= j == i || inputs[j] != in;
            }
            if (once) {
                if (leaves == null) {
                    leaves = new Tensor[inputs.length];
                }
                leaves[i] = in;
            }
        }
        return leaves;
    }

    private static IllegalStateException releasedGraph() {
        return new IllegalStateException("Trying to backward through the graph a second time (or directly access "
                + "saved tensors after they have already been freed). Saved intermediate values of the graph are "
                + "freed when you call backward(). Call backward(gradient, true) (retainGraph) if you need to "
                + "backward through the graph a second time.");
    }

    /**
     * Compares the gradients autograd computes for {@code f} with central finite differences, in float64.
     *
     * <p>PyTorch: {@code torch.autograd.gradcheck(f, inputs)}. Inputs are converted to float64 copies that
     * require grad; the output is reduced with a fixed random projection so that every output element counts.
     *
     * @return true when every gradient agrees within {@code atol = 1e-5, rtol = 1e-3} (PyTorch's defaults)
     * @throws AssertionError describing the first disagreement (input, element, analytic and numeric values)
     */
    public static boolean gradcheck(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return gradcheck(f, 1e-6, 1e-5, 1e-3, inputs);
    }

    /** {@link #gradcheck(Function, Tensor...)} with explicit step and tolerances. */
    public static boolean gradcheck(Function<Tensor[], Tensor> f, double eps, double atol, double rtol,
                                    Tensor... inputs) {
        Tensor[] xs = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Storage copy = Storage.fromDoubles(inputs[i].storage().toDoubleArray(), inputs[i].shape(),
                    org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            xs[i] = new Tensor(copy, inputs[i].device());
            xs[i].requiresGrad(inputs[i].dtype().isFPType());
        }
        Tensor out = f.apply(xs);
        double[] w = new double[(int) out.numel()];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.sin(1.0 + 7.3 * i) + 1.5; // deterministic, never zero, distinct per element
        }
        Tensor proj = new Tensor(Storage.fromDoubles(w, out.shape(), org.nd4j.linalg.api.buffer.DataType.DOUBLE),
                out.device());
        out.mul(proj).sum().backward();
        for (int i = 0; i < xs.length; i++) {
            if (!xs[i].requiresGrad()) {
                continue;
            }
            Storage x = xs[i].storage();
            Tensor grad = xs[i].grad();
            for (int j = 0; j < x.size(); j++) {
                double orig = x.getDouble(j);
                x.put(j, orig + eps);
                double plus = evalProjected(f, xs, proj);
                x.put(j, orig - eps);
                double minus = evalProjected(f, xs, proj);
                x.put(j, orig);
                double numeric = (plus - minus) / (2 * eps);
                double a = grad == null ? 0 : grad.storage().getDouble(j);
                if (Math.abs(a - numeric) > atol + rtol * Math.abs(numeric)) {
                    throw new AssertionError("gradcheck: input " + i + " element " + j + ": analytic " + a
                            + " vs numeric " + numeric);
                }
            }
        }
        return true;
    }

    private static double evalProjected(Function<Tensor[], Tensor> f, Tensor[] xs, Tensor proj) {
        try (NoGrad scope = NoGrad.enter()) {
            return f.apply(xs).mul(proj).sum().item();
        }
    }

}

package dev.nn4j.core;

import java.util.function.Function;

/**
 * The backward engine and the finite-difference gradient check.
 *
 * <p>PyTorch: {@code torch.autograd.backward} and {@code torch.autograd.gradcheck}. The graph is the chain of
 * {@link dev.nn4j.core.Function} nodes reachable from the output through {@code gradFn}: it belongs to the
 * tensors that made it, so one thread never sees another's operations, and once backward has run (without
 * {@code retainGraph}) every node drops its inputs and saved values, leaving nothing of the graph reachable.
 */
public final class Autograd {
    private Autograd() {
    }

    static void backward(Tensor root, Storage seed, boolean retainGraph) {
        dev.nn4j.core.Function top = root.gradFn();
        if (top == null) {
            if (!root.requiresGrad()) {
                throw new IllegalStateException("element 0 of tensors does not require grad and does not have a "
                        + "grad_fn: backward() needs an output computed from tensors with requiresGrad(true)");
            }
            accumulateLeaf(root, seed);
            return;
        }
        if (top.isReleased()) {
            throw releasedGraph();
        }
        ReadyQueue queue = new ReadyQueue();
        try (NoGrad scope = NoGrad.enter()) {
            top.pendingGrad = seed;
            queue.push(top);
            while (!queue.isEmpty()) {
                dev.nn4j.core.Function fn = queue.pop();
                Storage g = fn.pendingGrad;
                fn.pendingGrad = null;
                if (fn.isReleased()) {
                    // reached through a part of the graph that an earlier backward freed; as in PyTorch, the
                    // leaves reached before this point have their gradients
                    throw releasedGraph();
                }
                Tensor[] inputs = fn.inputs();
                fn.checkSaved();
                Tensor[] leaves = targetLeaves(fn, inputs);
                Storage[] grads = leaves == null ? fn.backward(g) : backwardLocked(fn, g, inputs, leaves);
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
                    Storage gi = Kernels.sumToShape(grads[i], in.storage().shape()).cast(in.dtype());
                    dev.nn4j.core.Function producer = in.gradFn();
                    if (producer == null) {
                        if (in.requiresGrad()) {
                            accumulateLeaf(in, gi);
                        }
                    } else if (producer.pendingGrad == null) {
                        producer.pendingGrad = gi; // may alias another node's gradient: later sums are out of place
                        queue.push(producer);
                    } else {
                        producer.pendingGrad = Kernels.binary(Kernels.BinaryOp.ADD, producer.pendingGrad, gi,
                                gi.shape(), gi.type());
                    }
                }
                if (!retainGraph) {
                    fn.release();
                }
            }
        } finally {
            queue.clearPending();
        }
    }

    private static void accumulateLeaf(Tensor leaf, Storage g) {
        synchronized (leaf) {
            Storage current = leaf.gradStorageHeld();
            if (current != null) {
                current.addScaled(g, 1.0);
                return;
            }
            // the kept buffer of the last cleared gradient, else g itself when it is a kernel's unshared result,
            // else a copy: g may be another input's gradient or the seed
            Storage s = takeSpare(leaf);
            if (s != null) {
                s.assign(g);
            } else {
                s = g.claim() ? g : g.copy();
            }
            leaf.setGradUnchecked(s);
        }
    }

    /**
     * The leaf inputs of {@code fn} whose gradients its backward may write in place (by input position; null
     * elsewhere), or null when there is none. Only a leaf that requires grad, appears once among the inputs, and
     * has (or had, before it was cleared) a gradient buffer that BLAS can write: a first backward goes the ordinary
     * way, and the buffers are reused from then on.
     */
    private static Tensor[] targetLeaves(dev.nn4j.core.Function fn, Tensor[] inputs) {
        if (!Kernels.directBlas()) {
            return null;
        }
        Tensor[] leaves = null;
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in == null || !fn.writesGradInPlace(i) || !fn.needsInputGrad(i) || in.gradFn() != null
                    || !in.requiresGrad() || !in.storage().isFloating() || in.storage().size() == 0) {
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

    /**
     * {@link #backwardInto} holding the lock of every target leaf, as accumulateLeaf holds it to add. Several are
     * locked in one global order (identity hash), so two threads running ops that take the same leaves in opposite
     * input order cannot deadlock; a leaf whose hash ties with another's goes the ordinary way.
     */
    private static Storage[] backwardLocked(dev.nn4j.core.Function fn, Storage g, Tensor[] inputs, Tensor[] leaves) {
        int[] order = new int[leaves.length];
        int n = 0;
        for (int i = 0; i < leaves.length; i++) {
            if (leaves[i] != null) {
                order[n++] = i;
            }
        }
        for (int a = 1; a < n; a++) { // insertion sort: an op has a handful of inputs
            int v = order[a];
            int hv = System.identityHashCode(leaves[v]);
            int b = a;
            while (b > 0 && System.identityHashCode(leaves[order[b - 1]]) > hv) {
                order[b] = order[b - 1];
                b--;
            }
            order[b] = v;
        }
        int kept = 0;
        for (int a = 0; a < n; a++) {
            Tensor leaf = leaves[order[a]];
            if (kept > 0 && System.identityHashCode(leaf) == System.identityHashCode(leaves[order[kept - 1]])) {
                leaves[order[a]] = null;
            } else {
                order[kept++] = order[a];
            }
        }
        n = kept;
        return lockInOrder(fn, g, inputs, leaves, order, n, 0);
    }

    private static Storage[] lockInOrder(dev.nn4j.core.Function fn, Storage g, Tensor[] inputs, Tensor[] leaves,
                                         int[] order, int n, int k) {
        if (k == n) {
            return backwardInto(fn, g, inputs, leaves);
        }
        synchronized (leaves[order[k]]) {
            return lockInOrder(fn, g, inputs, leaves, order, n, k + 1);
        }
    }

    /**
     * The kept buffer of {@code leaf}'s last cleared gradient, or null. A heap buffer is swapped for a direct one
     * on the CPU backend (once: that one is kept from then on), so BLAS can write it and optimizers update
     * through it in place.
     */
    private static Storage takeSpare(Tensor leaf) {
        Storage s = leaf.takeGradSpare();
        if (s != null && !s.isDirect() && s.isFloating() && s.size() > 0 && Kernels.directBlas()) {
            s = Storage.direct(s.type(), s.shape());
        }
        return s;
    }

    /** Runs {@code fn}'s backward with the gradient buffers of {@code leaves} as targets for those inputs. */
    private static Storage[] backwardInto(dev.nn4j.core.Function fn, Storage g, Tensor[] inputs, Tensor[] leaves) {
        GradTarget[] targets = null;
        for (int i = 0; i < leaves.length; i++) {
            Tensor leaf = leaves[i];
            if (leaf == null) {
                continue;
            }
            GradTarget target = null;
            Storage current = leaf.gradStorageHeld();
            if (current != null) {
                if (current.isDirect()) {
                    target = new GradTarget(current, true);
                }
            } else {
                Storage spare = takeSpare(leaf);
                if (spare != null && spare.isDirect()) {
                    target = new GradTarget(spare, false);
                } else if (spare != null) {
                    leaf.keepGradSpare(spare);
                }
            }
            if (target != null) {
                if (targets == null) {
                    targets = new GradTarget[inputs.length];
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
                    leaves[i].setGradUnchecked(target.storage());
                } else {
                    leaves[i].keepGradSpare(target.storage()); // not used this time: keep it for the next
                }
            }
        }
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
            Storage copy = Storage.ofDoubles(inputs[i].storage().doubles().clone(), inputs[i].shape());
            xs[i] = new Tensor(copy, inputs[i].device());
            xs[i].requiresGrad(inputs[i].dtype().isFPType());
        }
        Tensor out = f.apply(xs);
        double[] w = new double[(int) out.numel()];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.sin(1.0 + 7.3 * i) + 1.5; // deterministic, never zero, distinct per element
        }
        Tensor proj = new Tensor(Storage.ofDoubles(w, out.shape()), out.device());
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

package dev.nn4j.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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

    static void backward(Tensor root, INDArray seed, boolean retainGraph) {
        dev.nn4j.core.Function top = root.gradFn();
        if (top == null) {
            if (!root.requiresGrad()) {
                throw new IllegalStateException("element 0 of tensors does not require grad and does not have a "
                        + "grad_fn: backward() needs an output computed from tensors with requiresGrad(true)");
            }
            accumulateLeaf(root, seed);
            return;
        }
        List<dev.nn4j.core.Function> order = topologicalOrder(top);
        try (NoGrad scope = NoGrad.enter()) {
            top.pendingGrad = seed;
            for (int k = order.size() - 1; k >= 0; k--) {
                dev.nn4j.core.Function fn = order.get(k);
                INDArray g = fn.pendingGrad;
                fn.pendingGrad = null;
                if (g == null) {
                    continue;
                }
                Tensor[] inputs = fn.inputs();
                INDArray[] grads = fn.backward(g);
                for (int i = 0; i < inputs.length; i++) {
                    Tensor in = inputs[i];
                    if (in == null || grads[i] == null || !fn.needsInputGrad(i)) {
                        continue;
                    }
                    INDArray gi = Kernels.sumToShape(grads[i], in.shape());
                    if (gi.dataType() != in.dtype()) {
                        gi = gi.castTo(in.dtype());
                    }
                    dev.nn4j.core.Function producer = in.gradFn();
                    if (producer != null) {
                        // out of place: the first contribution may alias another node's gradient
                        producer.pendingGrad = producer.pendingGrad == null ? gi : producer.pendingGrad.add(gi);
                    } else if (in.requiresGrad()) {
                        accumulateLeaf(in, gi);
                    }
                }
                if (!retainGraph) {
                    fn.release();
                }
            }
        } finally {
            for (dev.nn4j.core.Function fn : order) {
                fn.pendingGrad = null;
            }
        }
    }

    private static void accumulateLeaf(Tensor leaf, INDArray g) {
        synchronized (leaf) {
            Tensor current = leaf.grad();
            if (current == null) {
                leaf.setGradUnchecked(new Tensor(g.dup(), leaf.device()));
            } else {
                current.array().addi(g);
            }
        }
    }

    /** Post-order of the nodes reachable from {@code top}: every node after all the nodes it consumes. */
    private static List<dev.nn4j.core.Function> topologicalOrder(dev.nn4j.core.Function top) {
        List<dev.nn4j.core.Function> order = new ArrayList<>();
        Map<dev.nn4j.core.Function, Boolean> seen = new IdentityHashMap<>();
        // iterative DFS: deep graphs (long loops, deep nets) must not overflow the Java stack
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {top, 0});
        seen.put(top, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            dev.nn4j.core.Function fn = (dev.nn4j.core.Function) frame[0];
            if (fn.isReleased()) {
                throw new IllegalStateException("Trying to backward through the graph a second time (or directly "
                        + "access saved tensors after they have already been freed). Saved intermediate values of "
                        + "the graph are freed when you call backward(). Call backward(gradient, true) "
                        + "(retainGraph) if you need to backward through the graph a second time.");
            }
            Tensor[] inputs = fn.inputs();
            int i = (Integer) frame[1];
            boolean pushed = false;
            while (i < inputs.length) {
                Tensor in = inputs[i++];
                dev.nn4j.core.Function child = in == null ? null : in.gradFn();
                if (child != null && seen.put(child, Boolean.TRUE) == null) {
                    frame[1] = i;
                    stack.push(new Object[] {child, 0});
                    pushed = true;
                    break;
                }
            }
            if (!pushed) {
                stack.pop();
                order.add(fn);
            }
        }
        return order;
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
            xs[i] = new Tensor(inputs[i].array().castTo(DataType.DOUBLE).dup(), inputs[i].device());
            xs[i].requiresGrad(inputs[i].dtype().isFPType());
        }
        Tensor out = f.apply(xs);
        INDArray projection = Nd4j.create(DataType.DOUBLE, out.shape());
        double[] w = new double[(int) out.numel()];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.sin(1.0 + 7.3 * i) + 1.5; // deterministic, never zero, distinct per element
        }
        if (w.length > 0) {
            projection.assign(Nd4j.create(w, out.shape().length == 0 ? new long[0] : out.shape(), DataType.DOUBLE));
        }
        Tensor proj = new Tensor(projection, out.device());
        out.mul(proj).sum().backward();
        for (int i = 0; i < xs.length; i++) {
            if (!xs[i].requiresGrad()) {
                continue;
            }
            INDArray analytic = xs[i].grad() == null ? Nd4j.zeros(DataType.DOUBLE, xs[i].shape())
                    : xs[i].grad().array();
            INDArray flat = xs[i].array().reshape(-1);
            INDArray analyticFlat = analytic.reshape(-1);
            for (long j = 0; j < flat.length(); j++) {
                double orig = flat.getDouble(j);
                flat.putScalar(j, orig + eps);
                double plus = evalProjected(f, xs, proj);
                flat.putScalar(j, orig - eps);
                double minus = evalProjected(f, xs, proj);
                flat.putScalar(j, orig);
                double numeric = (plus - minus) / (2 * eps);
                double a = analyticFlat.getDouble(j);
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

package dev.nn4j.core;

import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.Storage;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When, during one backward, each leaf with gradient hooks ({@link Tensor#registerHook}, which must see the leaf's
 * whole gradient before it is accumulated: its parts are summed here meanwhile) or post-accumulate hooks ({@link Tensor#registerPostAccumulateGradHook})
 * has received its last gradient: the engine accumulates a leaf's gradient edge by edge as nodes run, so the leaf
 * is final once every edge into it from the graph has been processed. Counted by one walk of the graph before the
 * backward, made only while some hook is registered anywhere (the walk costs a pass over the graph).
 */
final class LeafReadiness {
    /** Post-accumulate hooks registered on any tensor; the walk is skipped while this is 0. */
    static final AtomicInteger REGISTERED = new AtomicInteger();

    /** Per hooked leaf: {edges not yet processed, 1 once a gradient was delivered}. */
    private final Map<Tensor, int[]> pending = new java.util.LinkedHashMap<>(); // Tensor: identity equality
    /** Per leaf with gradient hooks: the sum of its gradients so far in this backward, not yet accumulated. */
    private final Map<Tensor, Storage> sums = new IdentityHashMap<>();

    private LeafReadiness() {
    }

    /** The edges into hooked leaves of the graph below {@code top}, or null when there are none. */
    static LeafReadiness plan(Node top) {
        if (REGISTERED.get() == 0) {
            return null;
        }
        LeafReadiness r = new LeafReadiness();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Node> stack = new ArrayDeque<>();
        stack.push(top);
        seen.add(top);
        while (!stack.isEmpty()) {
            Node fn = stack.pop();
            Tensor[] inputs = fn.inputs();
            if (inputs == null) {
                continue; // released by an earlier backward: the engine will refuse it
            }
            for (int i = 0; i < inputs.length; i++) {
                Tensor in = inputs[i];
                if (in == null || !fn.needsInputGrad(i)) {
                    continue;
                }
                Node producer = in.gradFn();
                if (producer == null) {
                    if (in.hasPostAccumulateHooks() || in.hasLeafGradHooks()) {
                        r.pending.computeIfAbsent(in, k -> new int[2])[0]++;
                    }
                } else if (seen.add(producer)) {
                    stack.push(producer);
                }
            }
        }
        return r.pending.isEmpty() ? null : r;
    }

    /**
     * Takes {@code g}, a gradient for {@code leaf}, when the leaf has gradient hooks: they must see its whole
     * gradient of this backward, so the parts are summed here and accumulated once the last has come. False
     * (nothing taken) for other leaves.
     */
    boolean collect(Tensor leaf, Storage g) {
        if (!pending.containsKey(leaf) || !leaf.hasLeafGradHooks()) {
            return false;
        }
        Storage sum = sums.get(leaf);
        // out of place: the first part may be another input's gradient
        sums.put(leaf, sum == null ? g : Elementwise.binary(Elementwise.BinaryOp.ADD, sum, g, g.shape(), g.type()));
        return true;
    }

    /** One edge into {@code leaf} was processed ({@code delivered}: with a gradient); runs its hooks when last. */
    void edge(Tensor leaf, boolean delivered) {
        int[] c = pending.get(leaf);
        if (c == null) {
            return;
        }
        c[1] |= delivered ? 1 : 0;
        if (--c[0] == 0) {
            pending.remove(leaf);
            complete(leaf, c[1] == 1);
        }
    }

    /** The leaf's gradient is final: its summed gradient through its hooks into {@code grad}, then post hooks. */
    private void complete(Tensor leaf, boolean delivered) {
        Storage sum = sums.remove(leaf);
        if (sum != null) {
            GradState st = leaf.gradState();
            st.accumulate(st.runPreHooks(sum));
        }
        if (delivered) {
            leaf.gradState().runPostAccumulateHooks(leaf);
        }
    }

    /**
     * The end of the backward: leaves some of whose edges were never reached (a node above them got no gradient)
     * are final too; those that received a gradient have their hooks run now.
     */
    void finish() {
        // in the order the walk found them: the same on every rank of a data-parallel job
        for (Map.Entry<Tensor, int[]> e : new java.util.ArrayList<>(pending.entrySet())) {
            complete(e.getKey(), e.getValue()[1] == 1);
        }
        pending.clear();
    }
}

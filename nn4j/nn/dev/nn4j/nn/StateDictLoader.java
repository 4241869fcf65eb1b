package dev.nn4j.nn;

import dev.nn4j.core.NoGrad;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A state-dict load in two phases: every module first states what it expects (and any lazy shape it infers),
 * problems are collected, and only when there are none are the copies carried out. A refused load therefore
 * changes nothing. PyTorch: the body of {@code load_state_dict}.
 */
public final class StateDictLoader {
    private final Map<String, Tensor> source;
    private final Set<String> consumed = new HashSet<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final List<Runnable> actions = new ArrayList<>();

    StateDictLoader(Map<String, Tensor> source) {
        this.source = source;
    }

    /** The checkpoint's tensor under {@code key}, or null; does not count as using it. */
    public Tensor peek(String key) {
        return source.get(key);
    }

    /** Expects {@code key} with {@code shape}, to be copied into {@code target} if the whole load is accepted. */
    public void expect(String key, Tensor target, long[] shape) {
        if (!source.containsKey(key)) {
            missing.add(key);
            return;
        }
        consumed.add(key);
        Tensor v = source.get(key);
        if (v == null) {
            problems.add("value for " + key + " is null.");
        } else if (!Arrays.equals(v.shape(), shape)) {
            problems.add("size mismatch for " + key + ": copying a param with shape " + Shapes.str(v.shape())
                    + " from checkpoint, the shape in current model is " + Shapes.str(shape) + ".");
        } else {
            actions.add(() -> target.copyFrom(v.to(target.device())));
        }
    }

    /** Adds a step to run, in order, if the load is accepted (e.g. a lazy module materializing its parameters). */
    public void then(Runnable action) {
        actions.add(action);
    }

    /** Records a problem that refuses the load, e.g. an inferred shape that makes no sense. */
    public void refuse(String problem) {
        problems.add(problem);
    }

    /**
     * For a lazy module whose checkpoint weight cannot be its own: counts {@code prefix + "weight"} and
     * {@code prefix + "bias"} as the module's and refuses the load, naming the checkpoint's shape and the shape the
     * module can take ({@code expected}, e.g. {@code [16, in_features]}), as PyTorch's size-mismatch message does.
     */
    public void refuseWeightShape(String prefix, Tensor weight, String expected) {
        consume(prefix + "weight");
        consume(prefix + "bias");
        refuse("size mismatch for " + prefix + "weight: copying a param with shape " + Shapes.str(weight.shape())
                + " from checkpoint, the shape in current model is " + expected + ".");
    }

    /** Counts {@code key} as belonging to the module (so it is not also reported as unexpected). */
    public void consume(String key) {
        if (source.containsKey(key)) {
            consumed.add(key);
        }
    }

    LoadResult finish(String moduleName, boolean strict) {
        List<String> unexpected = new ArrayList<>();
        for (String k : source.keySet()) {
            if (!consumed.contains(k)) {
                unexpected.add(k);
            }
        }
        boolean refuse = !problems.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()));
        if (refuse) {
            StringBuilder sb = new StringBuilder("Error(s) in loading state_dict for " + moduleName + ":");
            if (strict && !missing.isEmpty()) {
                sb.append("\n\tMissing key(s) in state_dict: ").append(quoted(missing)).append(". ");
            }
            if (strict && !unexpected.isEmpty()) {
                sb.append("\n\tUnexpected key(s) in state_dict: ").append(quoted(unexpected)).append(". ");
            }
            for (String p : problems) {
                sb.append("\n\t").append(p);
            }
            throw new IllegalArgumentException(sb.toString());
        }
        try (NoGrad scope = NoGrad.enter()) {
            actions.forEach(Runnable::run);
        }
        return new LoadResult(missing, unexpected);
    }

    private static String quoted(List<String> keys) {
        StringBuilder sb = new StringBuilder();
        for (String k : keys) {
            sb.append(sb.length() > 0 ? ", " : "").append('"').append(k).append('"');
        }
        return sb.toString();
    }
}

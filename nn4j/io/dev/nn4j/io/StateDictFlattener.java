package dev.nn4j.io;

import dev.nn4j.io.Pickled.Dict;
import dev.nn4j.io.Pickled.TensorRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the unpickled root into one flat, ordered map of tensors. A state dict is already flat; a training
 * checkpoint nests it ({@code {"model": sd, "epoch": 3, "optimizer": {...}}}), so nested dicts contribute
 * dotted keys ({@code model.0.weight}) and everything that is not a tensor or a dict is left out.
 */
final class StateDictFlattener {
    private final int maxDepth;
    private final long maxVisits;
    private long visits;
    private final Map<String, TensorRef> out = new LinkedHashMap<>();
    private final List<String> skipped = new ArrayList<>();
    private final Set<Dict> path = Collections.newSetFromMap(new IdentityHashMap<>());

    private StateDictFlattener(int maxDepth, long maxVisits) {
        this.maxDepth = maxDepth;
        this.maxVisits = maxVisits;
    }

    /** The flattened tensors of {@code root}, with a description of each value that was left out. */
    record Result(Map<String, TensorRef> tensors, List<String> skipped) {
    }

    /**
     * Flattens {@code root}, which must be a dict. {@code maxVisits} bounds the walk: dicts shared through the
     * memo can otherwise describe exponentially many keys in a few bytes.
     */
    static Result flatten(Object root, int maxDepth, long maxVisits) {
        if (!(root instanceof Dict d)) {
            throw new CheckpointException("the checkpoint holds a " + Pickled.typeName(root) + ", not a dict of "
                    + "tensors; save a state dict: torch.save(model.state_dict(), path)");
        }
        StateDictFlattener f = new StateDictFlattener(maxDepth, maxVisits);
        f.walk(d, "", 1);
        return new Result(f.out, f.skipped);
    }

    private void walk(Dict dict, String prefix, int depth) {
        if (depth > maxDepth) {
            throw new CheckpointException("dicts nested more than " + maxDepth + " deep at '" + prefix + "'");
        }
        if (!path.add(dict)) {
            throw new CheckpointException("dict '" + prefix + "' contains itself");
        }
        for (Map.Entry<Object, Object> e : dict.items.entrySet()) {
            if (++visits > maxVisits) {
                throw new CheckpointException("the checkpoint's dicts have more than " + maxVisits
                        + " entries in all (shared sub-dicts?)");
            }
            String name = keyName(e.getKey());
            Object value = e.getValue();
            if (name == null) {
                skipped.add(prefix + "<" + Pickled.typeName(e.getKey()) + " key>: " + Pickled.typeName(value));
            } else if (value instanceof TensorRef t) {
                String key = prefix + name;
                if (out.put(key, t) != null) {
                    throw new CheckpointException("key '" + key + "' occurs twice once nested dicts are flattened");
                }
            } else if (value instanceof Dict child) {
                walk(child, prefix + name + ".", depth + 1);
            } else {
                skipped.add(prefix + name + ": " + Pickled.typeName(value));
            }
        }
        path.remove(dict);
    }

    /** Python's str() of a key, for the key types a checkpoint uses (names, optimizer param ids). */
    private static String keyName(Object key) {
        if (key instanceof String s) {
            return s;
        } else if (key instanceof Long l) {
            return l.toString();
        } else if (key instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return null;
    }
}

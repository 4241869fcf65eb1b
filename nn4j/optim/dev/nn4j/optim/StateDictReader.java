package dev.nn4j.optim;

import dev.nn4j.core.NoGrad;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Reads an optimizer state dict (the layout of {@link Optimizer#stateDict}) and checks all of it before the
 * optimizer changes: every problem is collected, then all are refused together, each naming its key.
 */
final class StateDictReader {
    private static final double MAX_EXACT_STEPS = 0x1p53;

    private final Optimizer opt;
    private final List<String> problems = new ArrayList<>();
    private final Map<String, Double> hyper = new LinkedHashMap<>();
    private final Set<String> hyperNames;
    private final Set<Integer> refused = new HashSet<>();
    // TreeMap: state is rebuilt in parameter order
    private final Map<Integer, Map<String, Tensor>> byIndex = new TreeMap<>();

    StateDictReader(Optimizer opt, Map<String, Tensor> stateDict) {
        this.opt = opt;
        if (stateDict == null) {
            throw new IllegalArgumentException(opt.name() + ".loadStateDict: state dict is null");
        }
        this.hyperNames = opt.hyperParameters().keySet();
        for (String name : hyperNames) {
            readHyperParameter(Optimizer.GROUP + name, stateDict.get(Optimizer.GROUP + name));
        }
        readParamIndices(stateDict.get(Optimizer.GROUP + "params"));
        stateDict.forEach(this::classify);
        checkComplete();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(opt.name() + ".loadStateDict refused the state dict, nothing was "
                    + "changed: " + String.join("; ", problems));
        }
    }

    /** The hyper-parameters read, by PyTorch's names. */
    Map<String, Double> hyperParameters() {
        return hyper;
    }

    /** Fresh state per parameter: copies of the state dict's tensors, on each parameter's device and dtype. */
    Map<Parameter, ParamState> state() {
        Map<Parameter, ParamState> out = new IdentityHashMap<>();
        try (NoGrad scope = NoGrad.enter()) {
            byIndex.forEach((i, entries) -> {
                Parameter p = opt.parameters().get(i);
                ParamState s = new ParamState();
                for (String name : opt.stateNames()) {
                    if (name.equals(Optimizer.STEP)) {
                        s.steps((long) entries.get(name).item());
                    } else {
                        s.copy(name, entries.get(name), p);
                    }
                }
                out.put(p, s);
            });
        }
        return out;
    }

    private void readHyperParameter(String key, Tensor t) {
        if (t == null) {
            problems.add("missing key \"" + key + "\"");
        } else if (t.dim() != 0 || !t.dtype().isNumerical()) {
            problems.add("key \"" + key + "\": expected a 0-d number, got shape " + Arrays.toString(t.shape())
                    + " of dtype " + t.dtype());
        } else {
            hyper.put(key.substring(Optimizer.GROUP.length()), t.item());
        }
    }

    private void readParamIndices(Tensor t) {
        String key = Optimizer.GROUP + "params";
        int n = opt.parameters().size();
        if (t == null) {
            problems.add("missing key \"" + key + "\"");
            return;
        }
        if (t.dim() != 1 || !t.dtype().isIntType()) {
            problems.add("key \"" + key + "\": expected a 1-d integer tensor of parameter indices, got shape "
                    + Arrays.toString(t.shape()) + " of dtype " + t.dtype());
            return;
        }
        if (t.size(0) != n) {
            problems.add("key \"" + key + "\" lists " + t.size(0) + " parameters but this optimizer has " + n
                    + " (was the state dict saved for another model or parameter list?)");
            return;
        }
        long[] indices = t.array().castTo(DataType.LONG).toLongVector();
        for (int i = 0; i < n; i++) {
            if (indices[i] != i) {
                problems.add("key \"" + key + "\": expected the indices 0.." + (n - 1) + " in order, got "
                        + Arrays.toString(indices));
                return;
            }
        }
    }

    private void classify(String key, Tensor t) {
        if (key == null) {
            problems.add("a key is null");
            return;
        }
        if (key.startsWith(Optimizer.GROUP)) {
            String name = key.substring(Optimizer.GROUP.length());
            if (!name.equals("params") && !hyperNames.contains(name)) {
                problems.add("unexpected key \"" + key + "\" (" + opt.name() + " has the hyper-parameters "
                        + hyperNames + ")");
            }
            return;
        }
        int dot = key.startsWith(Optimizer.STATE) ? key.indexOf('.', Optimizer.STATE.length()) : -1;
        String digits = dot < 0 ? "" : key.substring(Optimizer.STATE.length(), dot);
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 9) {
            problems.add("unexpected key \"" + key + "\" (expected \"state.<index>.<name>\" or \""
                    + Optimizer.GROUP + "<name>\")");
            return;
        }
        int index = Integer.parseInt(digits);
        String name = key.substring(dot + 1);
        int n = opt.parameters().size();
        if (index >= n) {
            problems.add("unexpected key \"" + key + "\" (this optimizer has " + n + " parameters, indices 0.."
                    + (n - 1) + ")");
        } else if (!opt.stateNames().contains(name)) {
            problems.add("unexpected key \"" + key + "\" (" + opt.name() + " keeps " + opt.stateNames()
                    + " per parameter)");
        } else if (t == null) {
            problems.add("key \"" + key + "\": value is null");
            refused.add(index);
        } else if (name.equals(Optimizer.STEP) ? checkStep(key, t) : checkBuffer(key, t, opt.parameters().get(index))) {
            byIndex.computeIfAbsent(index, k -> new LinkedHashMap<>()).put(name, t);
        } else {
            refused.add(index);
        }
    }

    private boolean checkStep(String key, Tensor t) {
        double v = t.dim() == 0 && t.dtype().isNumerical() ? t.item() : Double.NaN;
        if (!(v >= 0 && v <= MAX_EXACT_STEPS && v == Math.rint(v))) {
            problems.add("key \"" + key + "\": expected a 0-d whole number >= 0 (the step count), got "
                    + (t.dim() == 0 ? String.valueOf(t.item()) : "shape " + Arrays.toString(t.shape()))
                    + " of dtype " + t.dtype());
            return false;
        }
        return true;
    }

    private boolean checkBuffer(String key, Tensor t, Parameter p) {
        if (!t.dtype().isFPType()) {
            problems.add("key \"" + key + "\": expected a floating point tensor, got dtype " + t.dtype());
            return false;
        }
        if (!Arrays.equals(t.shape(), p.shape())) {
            problems.add("key \"" + key + "\": shape " + Arrays.toString(t.shape()) + " does not match the shape "
                    + Arrays.toString(p.shape()) + " of parameter " + key.substring(Optimizer.STATE.length(),
                    key.indexOf('.', Optimizer.STATE.length())));
            return false;
        }
        return true;
    }

    /** A parameter has all of its state or none: half a state would silently restart one of its buffers. */
    private void checkComplete() {
        byIndex.forEach((i, entries) -> {
            if (refused.contains(i)) {
                return;
            }
            for (String name : opt.stateNames()) {
                if (!entries.containsKey(name)) {
                    problems.add("missing key \"" + Optimizer.STATE + i + "." + name + "\" (the state of parameter "
                            + i + " is incomplete)");
                }
            }
        });
    }
}

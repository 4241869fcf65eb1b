package dev.nn4j.optim;

import dev.nn4j.core.NoGrad;
import dev.nn4j.core.kernel.Storage;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the optimizers: the parameters to update, their per-parameter state, the learning rate, and the
 * {@link #step}, {@link #zeroGrad} and state-dict plumbing they share. PyTorch: {@code torch.optim.Optimizer}
 * with one parameter group.
 *
 * <p>State is kept per {@link Parameter} object. {@code module.to(device)} and {@code module.to(dtype)} keep the
 * same objects and swap their storage, so the state stays attached; each step moves a parameter's state to the
 * parameter's current device and dtype before using it.
 * <pre>{@code
 * Optimizer opt = new Adam(net.parameters(), 1e-3);
 * opt.zeroGrad();
 * Functional.mseLoss(net.call(x), y).backward();
 * opt.step();
 * }</pre>
 * The optimizers of this package extend it; its hooks are package-private.
 */
public abstract class Optimizer {
    static final String STATE = "state.";
    static final String GROUP = "param_groups.0.";
    static final String STEP = "step";

    private final List<Parameter> params;
    // identity, not equals: the key is the Parameter object, which survives module.to(...)
    private final Map<Parameter, ParamState> state = new IdentityHashMap<>();
    private double lr;

    Optimizer(List<Parameter> params, double lr) {
        this.params = checkParams(params);
        this.lr = Check.nonNegative(name(), "lr", lr);
    }

    private List<Parameter> checkParams(List<Parameter> given) {
        if (given == null) {
            throw new IllegalArgumentException(name() + ": params is null");
        }
        if (given.isEmpty()) {
            throw new IllegalArgumentException(name() + ": optimizer got an empty parameter list");
        }
        Map<Parameter, Integer> seen = new IdentityHashMap<>();
        for (int i = 0; i < given.size(); i++) {
            Parameter p = given.get(i);
            if (p == null) {
                throw new IllegalArgumentException(name() + ": params[" + i + "] is null");
            }
            Integer first = seen.putIfAbsent(p, i);
            if (first != null) {
                // PyTorch refuses this too: one object updated twice per step would take two steps
                throw new IllegalArgumentException(name() + ": some parameters appear more than once: params[" + i
                        + "] is the same Parameter object as params[" + first + "]; pass module.parameters(), "
                        + "which lists a tied parameter once");
            }
        }
        return Collections.unmodifiableList(new ArrayList<>(given));
    }

    // ---------------------------------------------------------------- hooks of the optimizers

    /**
     * Names of one parameter's state entries in state-dict order; {@value #STEP} stands for the step count.
     * PyTorch: the keys of {@code optimizer.state[p]}.
     */
    abstract List<String> stateNames();

    /** The hyper-parameters by PyTorch's names ({@code lr}, {@code weight_decay}, ...), in state-dict order. */
    abstract Map<String, Double> hyperParameters();

    /** Sets one hyper-parameter named as in {@link #hyperParameters} through its checked setter. */
    abstract void setHyperParameter(String name, double value);

    /** What is wrong with the combination of hyper-parameters, or null when they fit together. */
    String configurationProblem() {
        return null;
    }

    /** Updates {@code p} in place from {@code grad}, reading and writing {@code s}; runs without recording. */
    abstract void update(Parameter p, Storage grad, ParamState s);

    /** The class name, for messages. */
    final String name() {
        return getClass().getSimpleName();
    }

    // ---------------------------------------------------------------- public API

    /**
     * One optimization step: updates every parameter that has a gradient, in place; parameters whose gradient
     * is null are left alone. PyTorch: {@code optimizer.step()}.
     *
     * @throws IllegalStateException when the hyper-parameters do not fit together (e.g. nesterov without
     *     momentum); nothing is changed then
     */
    public void step() {
        String problem = configurationProblem();
        if (problem != null) {
            throw new IllegalStateException(name() + ": " + problem);
        }
        try (NoGrad scope = NoGrad.enter()) {
            for (int i = 0; i < params.size(); i++) { // indexed: no iterator per step
                Parameter p = params.get(i);
                Storage grad = p.gradStorage(); // not grad(): that would stop the buffer's reuse
                if (grad == null || p.isUninitialized()) {
                    continue;
                }
                ParamState s = state.computeIfAbsent(p, k -> new ParamState());
                s.follow(p);
                update(p, grad, s);
                p.storage().bumpVersion(); // a graph that saved p must not backward through the old value
            }
        }
    }

    /** Sets every parameter's gradient to null, PyTorch 2's default. PyTorch: {@code optimizer.zero_grad()}. */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /**
     * Clears the gradients: with {@code setToNone} they become null, otherwise they are filled with zeros in
     * place. PyTorch: {@code optimizer.zero_grad(set_to_none)}.
     */
    public void zeroGrad(boolean setToNone) {
        // no NoGrad scope: clearing and filling storages records nothing
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            if (setToNone) {
                p.setGrad(null);
            } else {
                Storage grad = p.gradStorage();
                if (grad != null) {
                    grad.fill(0);
                }
            }
        }
    }

    /** The parameters this optimizer updates, in the order given. PyTorch: {@code param_groups[0]["params"]}. */
    public List<Parameter> parameters() {
        return params;
    }

    /** The rate before the first scheduler changed it. PyTorch: {@code param_groups[0]["initial_lr"]}. */
    private Double initialLr;

    /** {@link #initialLr}, recorded (as the current rate) by the first scheduler that asks. */
    synchronized double initialLr() {
        if (initialLr == null) {
            initialLr = lr;
        }
        return initialLr;
    }

    /** The learning rate. PyTorch: {@code optimizer.param_groups[0]["lr"]}. */
    public double lr() {
        return lr;
    }

    /**
     * Sets the learning rate used from the next step on; returns this. PyTorch:
     * {@code for g in optimizer.param_groups: g["lr"] = lr}.
     *
     * @throws IllegalArgumentException unless {@code lr} is a finite number {@code >= 0}
     */
    public Optimizer lr(double lr) {
        this.lr = Check.nonNegative(name(), "lr", lr);
        return this;
    }

    /**
     * The optimizer's state as a flat map, ready for {@code Checkpoint.save}: per-parameter state under
     * {@code "state.<i>.<name>"} ({@code i} the parameter's index in {@link #parameters}, e.g.
     * {@code "state.0.exp_avg"}, sharing storage with the live state), the step count as a 0-d float64 under
     * {@code "state.<i>.step"} where the optimizer counts steps, each hyper-parameter as a 0-d float64 under
     * {@code "param_groups.0.<name>"} (PyTorch's names: {@code lr}, {@code weight_decay}, {@code betas.0}, ...),
     * and the parameter indices as int64 under {@code "param_groups.0.params"}. Parameters that have not been
     * stepped yet have no state. PyTorch: {@code optimizer.state_dict()}, flattened.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            ParamState s = state.get(params.get(i));
            if (s == null) {
                continue;
            }
            for (String name : stateNames()) {
                Tensor t = name.equals(STEP) ? Tensor.of(new double[] {s.steps()}) : s.buffer(name);
                if (t != null) {
                    out.put(STATE + i + "." + name, name.equals(STEP) ? t : t.data());
                }
            }
        }
        hyperParameters().forEach((k, v) -> out.put(GROUP + k, Tensor.of(new double[] {v})));
        out.put(GROUP + "params", Tensor.arange(params.size()));
        return out;
    }

    /**
     * Restores state and hyper-parameters saved by {@link #stateDict}, so that training resumes exactly where it
     * stopped. Everything is checked first: the parameter count, each key, each shape against its parameter's,
     * each dtype, and the hyper-parameters' values; state tensors are copied (converted to each parameter's
     * dtype and device). PyTorch: {@code optimizer.load_state_dict(sd)}.
     *
     * @throws IllegalArgumentException naming every offending key; the optimizer is then left unchanged
     */
    public void loadStateDict(Map<String, Tensor> stateDict) {
        StateDictReader read = new StateDictReader(this, stateDict);
        Map<Parameter, ParamState> loaded = read.state();
        applyHyperParameters(read.hyperParameters());
        state.clear();
        state.putAll(loaded);
    }

    /** Sets every value of {@code values}, or, when one is refused, none of them. */
    private void applyHyperParameters(Map<String, Double> values) {
        Map<String, Double> before = hyperParameters();
        String key = null;
        try {
            for (Map.Entry<String, Double> e : values.entrySet()) {
                key = GROUP + e.getKey();
                setHyperParameter(e.getKey(), e.getValue());
            }
            key = null;
            String problem = configurationProblem();
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        } catch (IllegalArgumentException e) {
            before.forEach(this::setHyperParameter);
            throw new IllegalArgumentException(name() + ".loadStateDict refused the state dict, nothing was changed: "
                    + (key != null ? "key \"" + key + "\": " : "param_groups.0: ") + e.getMessage(), e);
        }
    }

    /** The class and its hyper-parameters as in the state dict, e.g. {@code SGD(lr=0.1, momentum=0.9, ...)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name()).append('(');
        hyperParameters().forEach((k, v) -> sb.append(sb.charAt(sb.length() - 1) == '(' ? "" : ", ")
                .append(k).append('=').append(v));
        return sb.append(')').toString();
    }
}

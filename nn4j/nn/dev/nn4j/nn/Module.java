package dev.nn4j.nn;

import dev.nn4j.core.NoGrad;
import dev.nn4j.core.RemovableHandle;
import dev.nn4j.core.Tensor;
import dev.nn4j.device.Device;
import dev.nn4j.device.Devices;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Base class of every layer and model: an ordered registry of parameters, buffers and child modules.
 *
 * <p>PyTorch: {@code nn.Module}. Subclasses register their state explicitly and implement {@link #forward};
 * users invoke {@link #call}. (The simple name collides with {@code java.lang.Module}: import
 * {@code dev.nn4j.nn.Module} by name.)
 * <pre>{@code
 * class MLP extends Module {
 *     final Linear hidden = registerModule("hidden", new Linear(20, 256));
 *     final Linear out = registerModule("out", new Linear(256, 10));
 *     protected Tensor forward(Tensor x) { return out.call(Functional.relu(hidden.call(x))); }
 * }
 * }</pre>
 */
public abstract class Module {
    // LinkedHashMap throughout: insertion order is the order of parameters(), stateDict() and the printed tree
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Set<String> nonPersistent = new HashSet<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** The computation; what subclasses implement. PyTorch: {@code forward(x)}. */
    protected abstract Tensor forward(Tensor x);

    /**
     * Runs the module: checks the input, completes lazy initialization, then runs {@link #forward}.
     * PyTorch: {@code module(x)}.
     *
     * @throws ModuleInputException naming this module, its path and the shapes when the input is wrong for it; a
     *     failed call leaves in-place state (batch norm's running statistics) as it was before the outermost call
     */
    public final Tensor call(Tensor x) {
        if (!CallTransaction.isActive()) {
            return run(x);
        }
        CallTransaction t = CallTransaction.begin();
        Tensor y;
        try {
            y = run(x);
        } catch (RuntimeException | Error e) {
            t.end(e);
            throw e;
        }
        t.end(null);
        return y;
    }

    private Tensor run(Tensor x) {
        try {
            if (x == null) {
                throw new IllegalArgumentException("input is null");
            }
            java.util.Map<Long, ForwardPreHook> pre = preHooks;
            java.util.Map<Long, ForwardHook> post = hooks;
            if (pre == null && post == null) {
                prepare(x);
                return forward(x);
            }
            Tensor[] in = {x};
            if (pre != null) {
                for (ForwardPreHook h : List.copyOf(pre.values())) {
                    Tensor[] replaced = h.apply(this, in);
                    if (replaced != null) {
                        if (replaced.length != 1 || replaced[0] == null) {
                            throw new IllegalArgumentException("a forward pre-hook returned " + replaced.length
                                    + " inputs where this module takes one tensor");
                        }
                        in = replaced;
                    }
                }
            }
            prepare(in[0]);
            Tensor y = forward(in[0]);
            if (post != null) {
                for (ForwardHook h : List.copyOf(post.values())) {
                    Tensor replaced = h.apply(this, in, y);
                    y = replaced != null ? replaced : y;
                }
            }
            return y;
        } catch (IllegalArgumentException e) {
            throw refusal(e);
        }
    }

    /**
     * Runs {@code body} on {@code inputs} the way {@link #call} runs {@link #forward}: the forward pre-hooks first
     * (they see, and may replace, every input; absent ones are null), bad input reported as a
     * {@link ModuleInputException} naming this module and its path, and in-place state undone when the outermost
     * call fails. For the typed calls of modules with several inputs or outputs ({@code LSTM.callWithState}, ...);
     * forward hooks, which see one output tensor, run only for {@link #call}.
     */
    protected final <R> R callGuarded(Tensor[] inputs, java.util.function.Function<Tensor[], R> body) {
        CallTransaction t = CallTransaction.isActive() ? CallTransaction.begin() : null;
        R result;
        try {
            Tensor[] in = inputs;
            java.util.Map<Long, ForwardPreHook> pre = preHooks;
            if (pre != null) {
                for (ForwardPreHook h : List.copyOf(pre.values())) {
                    Tensor[] replaced = h.apply(this, in);
                    if (replaced != null) {
                        if (replaced.length != inputs.length) {
                            throw new IllegalArgumentException("a forward pre-hook returned " + replaced.length
                                    + " inputs where this call takes " + inputs.length);
                        }
                        in = replaced;
                    }
                }
            }
            result = body.apply(in);
        } catch (IllegalArgumentException e) {
            RuntimeException refused = refusal(e);
            if (t != null) {
                t.end(refused);
            }
            throw refused;
        } catch (RuntimeException | Error e) {
            if (t != null) {
                t.end(e);
            }
            throw e;
        }
        if (t != null) {
            t.end(null);
        }
        return result;
    }

    // hooks, by registration order; null until the first is registered, so a call without hooks checks two fields.
    // Registering and removing replace the map (copy on write), so a call on another thread sees a whole map
    private volatile java.util.Map<Long, ForwardPreHook> preHooks;
    private volatile java.util.Map<Long, ForwardHook> hooks;
    private long nextHookId;

    /**
     * Registers {@code hook} to run before every call's forward (and its input checks), in registration order; it
     * may replace the inputs. PyTorch: {@code register_forward_pre_hook(hook)}.
     *
     * @return the handle that removes it
     */
    public final synchronized RemovableHandle registerForwardPreHook(ForwardPreHook hook) {
        java.util.Objects.requireNonNull(hook, "hook");
        long id = nextHookId++;
        java.util.Map<Long, ForwardPreHook> next = preHooks == null ? new java.util.LinkedHashMap<>()
                : new java.util.LinkedHashMap<>(preHooks);
        next.put(id, hook);
        preHooks = next;
        return () -> removeHook(id);
    }

    /**
     * Registers {@code hook} to run after every call's forward, in registration order; it may replace the output.
     * PyTorch: {@code register_forward_hook(hook)}.
     *
     * @return the handle that removes it
     */
    public final synchronized RemovableHandle registerForwardHook(ForwardHook hook) {
        java.util.Objects.requireNonNull(hook, "hook");
        long id = nextHookId++;
        java.util.Map<Long, ForwardHook> next = hooks == null ? new java.util.LinkedHashMap<>()
                : new java.util.LinkedHashMap<>(hooks);
        next.put(id, hook);
        hooks = next;
        return () -> removeHook(id);
    }

    private synchronized void removeHook(long id) {
        if (preHooks != null && preHooks.containsKey(id)) {
            java.util.Map<Long, ForwardPreHook> next = new java.util.LinkedHashMap<>(preHooks);
            next.remove(id);
            preHooks = next.isEmpty() ? null : next;
        }
        if (hooks != null && hooks.containsKey(id)) {
            java.util.Map<Long, ForwardHook> next = new java.util.LinkedHashMap<>(hooks);
            next.remove(id);
            hooks = next.isEmpty() ? null : next;
        }
    }

    /**
     * What this module's call throws for bad input {@code e} raised inside it: {@code e} itself, with this module
     * added to its path, when an inner module already reported it (so the user sees which layer refused), else a
     * {@link ModuleInputException} naming this module. A call that succeeds keeps no record (no call stack per
     * thread): the path is collected on the way out.
     */
    final ModuleInputException refusal(IllegalArgumentException e) {
        if (e instanceof ModuleInputException inner) {
            return inner.leaving(this);
        }
        return new ModuleInputException(this, e.getMessage(), e);
    }

    /**
     * Called by {@link #call} before {@link #forward}: validates {@code x} (throw IllegalArgumentException
     * naming the expected and actual shapes) and materializes lazy state. Default: nothing.
     */
    protected void prepare(Tensor x) {
    }

    /** The name under which {@code child} is registered here, or null. */
    String nameOf(Module child) {
        for (Map.Entry<String, Module> e : children.entrySet()) {
            if (e.getValue() == child) {
                return e.getKey();
            }
        }
        // a forward may call a grandchild itself (the layers of a ModuleList it iterates): its dotted path
        for (Map.Entry<String, Module> e : namedModules().entrySet()) {
            if (e.getValue() == child && !e.getKey().isEmpty()) {
                return e.getKey();
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- registry

    /** Registers {@code m} as child {@code name} and returns it. PyTorch: {@code self.name = m}. */
    protected final <M extends Module> M registerModule(String name, M m) {
        checkName("module", name);
        if (m == null) {
            throw new IllegalArgumentException("registerModule(\"" + name + "\"): module is null");
        }
        children.put(name, m);
        return m;
    }

    /** Adds child {@code name}; returns this. PyTorch: {@code module.add_module(name, m)}. */
    public Module addModule(String name, Module m) {
        registerModule(name, m);
        return this;
    }

    /** Registers {@code p} as parameter {@code name} and returns it. PyTorch: {@code self.name = nn.Parameter(...)}. */
    protected final Parameter registerParameter(String name, Parameter p) {
        checkName("parameter", name);
        if (p == null) {
            throw new IllegalArgumentException("registerParameter(\"" + name + "\"): parameter is null");
        }
        parameters.put(name, p);
        return p;
    }

    /** Registers a persistent buffer (in the state dict, never trained). PyTorch: {@code register_buffer(name, t)}. */
    protected final Tensor registerBuffer(String name, Tensor t) {
        return registerBuffer(name, t, true);
    }

    /** Registers a buffer; a non-persistent one stays out of the state dict. PyTorch: {@code register_buffer(name, t, persistent)}. */
    protected final Tensor registerBuffer(String name, Tensor t, boolean persistent) {
        checkName("buffer", name);
        if (t == null) {
            throw new IllegalArgumentException("registerBuffer(\"" + name + "\"): tensor is null");
        }
        if (t instanceof Parameter) {
            throw new IllegalArgumentException("registerBuffer(\"" + name + "\"): a Parameter cannot be a buffer; "
                    + "use registerParameter");
        }
        t.array(); // buffers, like parameters, live in ND4J arrays
        buffers.put(name, t);
        if (!persistent) {
            nonPersistent.add(name);
        }
        return t;
    }

    private void checkName(String kind, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(kind + " name can't be empty");
        }
        if (name.contains(".")) {
            throw new IllegalArgumentException(kind + " name can't contain \".\", got: \"" + name + "\"");
        }
        if (children.containsKey(name) || parameters.containsKey(name) || buffers.containsKey(name)) {
            throw new IllegalArgumentException("attribute '" + name + "' already exists in " + typeName());
        }
    }

    // ---------------------------------------------------------------- walks

    /** Direct children by name, in registration order (a child registered twice is listed once). PyTorch: {@code named_children()}. */
    public Map<String, Module> namedChildren() {
        Map<String, Module> out = new LinkedHashMap<>();
        Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        children.forEach((k, m) -> {
            if (seen.add(m)) {
                out.put(k, m);
            }
        });
        return out;
    }

    /** Every registered child slot in order, a child registered twice appearing twice (what forward walks). */
    final java.util.Collection<Module> childrenInOrder() {
        return children.values();
    }

    /** Every child by its registered name, a module registered twice under both (unlike {@link #namedChildren}). */
    final Map<String, Module> childEntries() {
        return Collections.unmodifiableMap(children);
    }

    /** Direct children. PyTorch: {@code children()}. */
    public List<Module> children() {
        return new ArrayList<>(namedChildren().values());
    }

    /** This module (name {@code ""}) and every descendant, pre-order, each once. PyTorch: {@code named_modules()}. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", Collections.newSetFromMap(new IdentityHashMap<>()), out);
        return out;
    }

    private void collectModules(String prefix, Set<Module> seen, Map<String, Module> out) {
        if (!seen.add(this)) {
            return;
        }
        out.put(prefix, this);
        children.forEach((k, m) -> m.collectModules(prefix.isEmpty() ? k : prefix + "." + k, seen, out));
    }

    /** This module and every descendant. PyTorch: {@code modules()}. */
    public List<Module> modules() {
        return new ArrayList<>(namedModules().values());
    }

    /** Every parameter by dotted name, each object once (under its first name). PyTorch: {@code named_parameters()}. */
    public Map<String, Parameter> namedParameters() {
        return collectNamed(m -> m.parameters);
    }

    /** The tensors {@code own} gives for each module, by dotted name, each object once under its first name. */
    private <T extends Tensor> Map<String, T> collectNamed(java.util.function.Function<Module, Map<String, T>> own) {
        Map<String, T> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        namedModules().forEach((prefix, m) -> own.apply(m).forEach((k, t) -> {
            if (seen.add(t)) {
                out.put(prefix.isEmpty() ? k : prefix + "." + k, t);
            }
        }));
        return out;
    }

    /** Every parameter, each once. PyTorch: {@code parameters()}. */
    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Every buffer by dotted name, each once. PyTorch: {@code named_buffers()}. */
    public Map<String, Tensor> namedBuffers() {
        return collectNamed(m -> m.buffers);
    }

    // ---------------------------------------------------------------- state dict

    /**
     * Parameters and persistent buffers by dotted name, as detached tensors sharing storage; a tied parameter
     * appears under every name it is reachable by. PyTorch: {@code state_dict()}.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        saveTo("", out);
        return out;
    }

    private void saveTo(String prefix, Map<String, Tensor> out) {
        parameters.forEach((k, p) -> {
            if (p.isUninitialized()) {
                throw new IllegalStateException("stateDict: parameter \"" + prefix + k + "\" of " + typeName()
                        + " is not initialized yet; run a forward pass (call) first");
            }
            out.put(prefix + k, p.data());
        });
        buffers.forEach((k, b) -> {
            if (!nonPersistent.contains(k)) {
                out.put(prefix + k, b.data());
            }
        });
        children.forEach((k, m) -> m.saveTo(prefix + k + ".", out));
    }

    /**
     * Strict load: every key must match a parameter or persistent buffer of the same shape.
     * PyTorch: {@code load_state_dict(sd)}.
     *
     * @throws IllegalArgumentException naming every missing key, unexpected key and size mismatch; the module is
     *     then left exactly as it was
     */
    public void loadStateDict(Map<String, Tensor> stateDict) {
        loadStateDict(stateDict, true);
    }

    /**
     * Loads what matches; with {@code strict=false} missing and unexpected keys are returned instead of refused
     * (a size mismatch is always refused). PyTorch: {@code load_state_dict(sd, strict)}.
     */
    public LoadResult loadStateDict(Map<String, Tensor> stateDict, boolean strict) {
        if (stateDict == null) {
            throw new IllegalArgumentException("loadStateDict: state dict is null");
        }
        StateDictLoader plan = new StateDictLoader(stateDict);
        loadFrom("", plan);
        return plan.finish(typeName(), strict);
    }

    /**
     * Plans how this module's own entries are loaded from the state dict under {@code prefix}, then recurses.
     * Lazy modules override {@link #planOwnLoad} to take their shapes from the checkpoint.
     */
    private void loadFrom(String prefix, StateDictLoader plan) {
        planOwnLoad(prefix, plan);
        children.forEach((k, m) -> m.loadFrom(prefix + k + ".", plan));
    }

    /** Plans loading of this module's own parameters and persistent buffers (children excluded). */
    protected void planOwnLoad(String prefix, StateDictLoader plan) {
        parameters.forEach((k, p) -> plan.expect(prefix + k, p, p.shape()));
        buffers.forEach((k, b) -> {
            if (!nonPersistent.contains(k)) {
                plan.expect(prefix + k, b, b.shape());
            }
        });
    }

    /** The parameters registered directly on this module (no children), by local name. */
    protected final Map<String, Parameter> ownParameters() {
        return Collections.unmodifiableMap(parameters);
    }

    // ---------------------------------------------------------------- lookup

    /**
     * The descendant at {@code dottedPath} ({@code ""} is this module). PyTorch: {@code get_submodule(path)}.
     *
     * @throws IllegalArgumentException naming the first missing step and the children available there
     */
    public Module getSubmodule(String dottedPath) {
        if (dottedPath == null) {
            throw new IllegalArgumentException("getSubmodule: path is null");
        }
        if (dottedPath.isEmpty()) {
            return this;
        }
        Module m = this;
        String walked = "";
        for (String step : dottedPath.split("\\.", -1)) {
            Module next = m.children.get(step);
            if (next == null) {
                throw new IllegalArgumentException("getSubmodule(\"" + dottedPath + "\"): " + m.typeName()
                        + (walked.isEmpty() ? "" : " at \"" + walked + "\"") + " has no submodule \"" + step
                        + "\" (children: " + m.children.keySet() + ")");
            }
            walked = walked.isEmpty() ? step : walked + "." + step;
            m = next;
        }
        return m;
    }

    /** The parameter at {@code dottedPath}, e.g. {@code "0.bias"}. PyTorch: {@code get_parameter(path)}. */
    public Parameter getParameter(String dottedPath) {
        if (dottedPath == null || dottedPath.isEmpty()) {
            throw new IllegalArgumentException("getParameter: path is empty");
        }
        int dot = dottedPath.lastIndexOf('.');
        Module owner = getSubmodule(dot < 0 ? "" : dottedPath.substring(0, dot));
        String name = dottedPath.substring(dot + 1);
        Parameter p = owner.parameters.get(name);
        if (p == null) {
            throw new IllegalArgumentException("getParameter(\"" + dottedPath + "\"): " + owner.typeName()
                    + " has no parameter \"" + name + "\" (parameters: " + owner.parameters.keySet() + ")");
        }
        return p;
    }

    // ---------------------------------------------------------------- whole-model operations

    /** Runs {@code fn} on every child (recursively, children first) and then on this; returns this. PyTorch: {@code apply(fn)}. */
    public Module apply(Consumer<Module> fn) {
        for (Module m : children()) {
            m.apply(fn);
        }
        fn.accept(this);
        return this;
    }

    /** Training mode for this module and its descendants (Dropout drops); returns this. PyTorch: {@code train()}. */
    public Module train() {
        return train(true);
    }

    /** Sets training mode recursively; returns this. PyTorch: {@code train(mode)}. */
    public Module train(boolean mode) {
        for (Module m : modules()) {
            m.training = mode;
        }
        return this;
    }

    /** Evaluation mode (Dropout is the identity); returns this. PyTorch: {@code eval()}. */
    public Module eval() {
        return train(false);
    }

    /** Whether this module is in training mode. PyTorch: {@code module.training}. */
    public boolean isTraining() {
        return training;
    }

    /** Clears every parameter's gradient (set to null, PyTorch 2's default). PyTorch: {@code zero_grad()}. */
    public void zeroGrad() {
        for (Parameter p : parameters()) {
            p.setGrad(null);
        }
    }

    /** Freezes ({@code false}) or unfreezes every parameter; returns this. PyTorch: {@code requires_grad_(b)}. */
    public Module requiresGrad(boolean requires) {
        for (Parameter p : parameters()) {
            p.requiresGrad(requires);
        }
        return this;
    }

    /**
     * Moves every parameter, gradient and buffer to {@code device} in place: the same {@code Parameter} objects,
     * so optimizers and tied modules keep working. PyTorch: {@code module.to(device)}.
     */
    public Module to(Device device) {
        Devices.checkAvailable(device);
        return applyToTensors(t -> t.to(device));
    }

    /** Converts floating parameters, gradients and buffers to {@code type} in place. PyTorch: {@code module.to(dtype)}. */
    public Module to(DataType type) {
        if (!type.isFPType()) {
            throw new IllegalArgumentException("Module.to: only floating point dtypes are allowed, got " + type);
        }
        return applyToTensors(t -> t.dtype().isFPType() ? t.to(type) : t);
    }

    /** Swaps each tensor's storage for {@code fn} of it, keeping every object's identity. PyTorch: {@code _apply(fn)}. */
    private Module applyToTensors(UnaryOperator<Tensor> fn) {
        try (NoGrad scope = NoGrad.enter()) {
            Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Module m : modules()) {
                for (Parameter p : m.parameters.values()) {
                    // placeholders move too, so a lazy module materializes on the device and dtype it was sent to
                    if (!seen.add(p)) {
                        continue;
                    }
                    Tensor grad = p.grad();
                    p.setGrad(null);
                    p.setData(fn.apply(p.data()));
                    p.array(); // parameters live in ND4J arrays, whatever fn produced
                    if (grad != null) {
                        p.setGrad(fn.apply(grad.data()));
                    }
                }
                for (Tensor b : m.buffers.values()) {
                    if (seen.add(b)) {
                        b.setData(fn.apply(b.data()));
                        b.array();
                    }
                }
            }
        }
        return this;
    }

    // ---------------------------------------------------------------- printing

    /** The class name printed in the tree; lazy modules change it once initialized. PyTorch: {@code _get_name()}. */
    protected String typeName() {
        String n = getClass().getSimpleName();
        return n.isEmpty() ? getClass().getName() : n;
    }

    /** Extra text inside the parentheses, e.g. {@code in_features=20, out_features=256, bias=True}. PyTorch: {@code extra_repr()}. */
    public String extraRepr() {
        return "";
    }

    /** One line: {@code typeName(extraRepr)}. */
    String describe() {
        return typeName() + "(" + extraRepr() + ")";
    }

    /**
     * The printed lines of the children, {@code (name): child} each, the child's own lines indented by two: the part
     * of {@link #toString} a container may print its own way (PyTorch's ModuleList groups repeated children).
     */
    List<String> childLines() {
        List<String> lines = new ArrayList<>();
        children.forEach((k, m) -> lines.add("(" + k + "): " + indent(m.toString())));
        return lines;
    }

    /** {@code s} with every line after the first indented by two spaces. PyTorch: {@code _addindent(s, 2)}. */
    static String indent(String s) {
        return s.replace("\n", "\n  ");
    }

    /** The module tree exactly as PyTorch prints it. PyTorch: {@code repr(module)}. */
    @Override
    public String toString() {
        List<String> lines = new ArrayList<>();
        String extra = extraRepr();
        if (!extra.isEmpty()) {
            Collections.addAll(lines, extra.split("\n", -1));
        }
        int extraLines = lines.size();
        lines.addAll(childLines());
        StringBuilder sb = new StringBuilder(typeName()).append('(');
        if (!lines.isEmpty()) {
            if (extraLines == 1 && lines.size() == 1) {
                sb.append(lines.get(0));
            } else {
                sb.append("\n  ").append(String.join("\n  ", lines)).append('\n');
            }
        }
        return sb.append(')').toString();
    }
}

package dev.nn4j.nn;

import dev.nn4j.core.Tensor;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Modules held by name, in insertion order, registered as children under those names.
 *
 * <p>PyTorch: {@code nn.ModuleDict({...})}. Like a {@link ModuleList}, it has no forward of its own.
 * <pre>{@code
 * ModuleDict heads = new ModuleDict().put("cls", new Linear(64, 10)).put("box", new Linear(64, 4));
 * Tensor logits = heads.get("cls").call(features);
 * }</pre>
 */
public class ModuleDict extends Module {
    /** An empty dict. PyTorch: {@code nn.ModuleDict()}. */
    public ModuleDict() {
    }

    /**
     * Adds {@code m} under {@code name} (no '.', not empty, not already present); returns this. PyTorch:
     * {@code modules[name] = m}.
     */
    public ModuleDict put(String name, Module m) {
        registerModule(name, m);
        return this;
    }

    /**
     * The module named {@code name}, typed as the caller expects. PyTorch: {@code modules[name]}.
     *
     * @throws IllegalArgumentException naming the keys there are, when there is none by that name
     */
    @SuppressWarnings("unchecked")
    public <M extends Module> M get(String name) {
        Module m = childEntries().get(name);
        if (m != null) {
            return (M) m;
        }
        throw new IllegalArgumentException("ModuleDict has no module '" + name + "'; keys: " + keySet());
    }

    /** The names, in insertion order. PyTorch: {@code modules.keys()}. */
    public Set<String> keySet() {
        return new LinkedHashSet<>(childEntries().keySet());
    }

    /** Number of modules. PyTorch: {@code len(modules)}. */
    public int size() {
        return childrenInOrder().size();
    }

    /** A ModuleDict is not called: call its modules from the enclosing module's forward, as in PyTorch. */
    @Override
    protected Tensor forward(Tensor x) {
        throw new IllegalStateException("ModuleDict has no forward: call its modules from the enclosing module's "
                + "forward");
    }
}

package dev.nn4j.nn;

import dev.nn4j.core.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Modules held in a list and registered as children {@code "0"}, {@code "1"}, ...: their parameters are the
 * list's, but the list has no forward of its own; the enclosing module decides how to call them.
 *
 * <p>PyTorch: {@code nn.ModuleList(modules)}. Printed as PyTorch 2 prints it: consecutive children that print
 * alike are grouped, e.g. {@code (0-2): 3 x Linear(in_features=8, out_features=8, bias=True)}.
 * <pre>{@code
 * ModuleList layers = new ModuleList(new Linear(8, 8), new Linear(8, 8));
 * for (Module m : layers) { x = m.call(x); }
 * }</pre>
 */
public class ModuleList extends Module implements Iterable<Module> {
    /** PyTorch: {@code nn.ModuleList([m1, m2, ...])}. */
    public ModuleList(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends {@code m}; returns this. PyTorch: {@code modules.append(m)}. */
    public ModuleList add(Module m) {
        registerModule(String.valueOf(size()), m);
        return this;
    }

    /**
     * The module at {@code index} (negative counts from the end), typed as the caller expects. PyTorch:
     * {@code modules[index]}.
     */
    @SuppressWarnings("unchecked")
    public <M extends Module> M get(int index) {
        List<Module> all = List.copyOf(childrenInOrder());
        int n = all.size();
        int i = index < 0 ? index + n : index;
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException("index " + index + " is out of range for ModuleList of size " + n);
        }
        return (M) all.get(i);
    }

    /** Number of modules. PyTorch: {@code len(modules)}. */
    public int size() {
        return childrenInOrder().size();
    }

    @Override
    public Iterator<Module> iterator() {
        return List.copyOf(childrenInOrder()).iterator();
    }

    /** A ModuleList is not called: iterate over it in the enclosing module's forward, as in PyTorch. */
    @Override
    protected Tensor forward(Tensor x) {
        throw new IllegalStateException("ModuleList has no forward: call its modules from the enclosing module's "
                + "forward (for (Module m : list) x = m.call(x);)");
    }

    @Override
    List<String> childLines() {
        List<String> reprs = new ArrayList<>();
        for (Module m : childrenInOrder()) {
            reprs.add(m.toString());
        }
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= reprs.size(); i++) {
            if (i < reprs.size() && reprs.get(i).equals(reprs.get(start))) {
                continue;
            }
            String block = reprs.get(start);
            int end = i - 1;
            lines.add(indent(start == end ? "(" + start + "): " + block
                    : "(" + start + "-" + end + "): " + (end - start + 1) + " x " + block));
            start = i;
        }
        return lines;
    }
}

package dev.nn4j.nn;

import dev.nn4j.core.Tensor;
import java.util.Iterator;
import java.util.List;

/**
 * A chain of modules, each fed the previous one's output; children are named {@code "0"}, {@code "1"}, ...
 * unless added with a name.
 *
 * <p>PyTorch: {@code nn.Sequential(...)}.
 * <pre>{@code
 * Sequential net = new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
 * Linear last = net.get(2);
 * }</pre>
 */
public class Sequential extends Module implements Iterable<Module> {
    /** PyTorch: {@code nn.Sequential(*modules)}. */
    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends {@code m} under the next index as its name; returns this. PyTorch: {@code seq.append(m)}. */
    public Sequential add(Module m) {
        registerModule(String.valueOf(size()), m);
        return this;
    }

    /** Appends {@code m} under {@code name}; returns this. PyTorch: {@code seq.add_module(name, m)}. */
    public Sequential add(String name, Module m) {
        registerModule(name, m);
        return this;
    }

    /**
     * The child at position {@code index} (negative counts from the end), typed as the caller expects.
     * PyTorch: {@code seq[index]}.
     */
    @SuppressWarnings("unchecked")
    public <M extends Module> M get(int index) {
        List<Module> all = entries();
        int n = all.size();
        int i = index < 0 ? index + n : index;
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException("index " + index + " is out of range for Sequential of size " + n);
        }
        return (M) all.get(i);
    }

    /** Number of children. PyTorch: {@code len(seq)}. */
    public int size() {
        return entries().size();
    }

    private List<Module> entries() {
        return List.copyOf(childrenInOrder());
    }

    @Override
    public Iterator<Module> iterator() {
        return entries().iterator();
    }

    @Override
    protected Tensor forward(Tensor x) {
        Tensor y = x;
        for (Module m : childrenInOrder()) {
            y = m.call(y);
        }
        return y;
    }
}

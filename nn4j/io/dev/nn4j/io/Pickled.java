package dev.nn4j.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The Python values the restricted unpickler builds. Strings, ints, floats and bools are {@link String},
 * {@link Long}, {@link Double} and {@link Boolean}; the rest are these small types. The mutable containers
 * have identity equality and a shallow {@code toString}, because a pickle can make them contain themselves.
 */
final class Pickled {
    private Pickled() {
    }

    /** Python's {@code None}. */
    enum None {
        NONE
    }

    /**
     * An immutable tuple. Identity equality on purpose: memo references can share sub-tuples so that a structural
     * equals or hashCode would take time exponential in the pickle's size; tuples are never dict keys here.
     */
    static final class Tuple {
        final List<Object> items;

        Tuple(List<Object> items) {
            this.items = List.copyOf(items);
        }

        int size() {
            return items.size();
        }

        Object get(int i) {
            return items.get(i);
        }

        @Override
        public String toString() {
            return "tuple of " + items.size();
        }
    }

    /** A Python list. */
    static final class PyList {
        final List<Object> items = new ArrayList<>();

        @Override
        public String toString() {
            return "list of " + items.size();
        }
    }

    /** A dict or OrderedDict; insertion-ordered, as both are in Python 3.7+. */
    static final class Dict {
        final LinkedHashMap<Object, Object> items = new LinkedHashMap<>();
        final boolean ordered;

        Dict(boolean ordered) {
            this.ordered = ordered;
        }

        @Override
        public String toString() {
            return (ordered ? "OrderedDict" : "dict") + " of " + items.size();
        }
    }

    /** A storage named by a persistent id: the zip entry {@code data/<key>} holding {@code numel} elements. */
    record Storage(String key, TorchDType dtype, long numel) {
    }

    /** A tensor as {@code _rebuild_tensor_v2} describes it: a strided view of a storage, not yet read. */
    record TensorRef(Storage storage, long offset, long[] size, long[] stride) {
        long numel() {
            long n = 1;
            for (long s : size) {
                n *= s;
            }
            return n;
        }
    }

    /** Python's name for the type of {@code v}, for messages; never renders the value itself. */
    static String typeName(Object v) {
        if (v instanceof String) {
            return "str";
        } else if (v instanceof Long) {
            return "int";
        } else if (v instanceof Double) {
            return "float";
        } else if (v instanceof Boolean) {
            return "bool";
        } else if (v instanceof None) {
            return "None";
        } else if (v instanceof Tuple) {
            return "tuple";
        } else if (v instanceof PyList) {
            return "list";
        } else if (v instanceof Dict d) {
            return d.ordered ? "OrderedDict" : "dict";
        } else if (v instanceof Storage) {
            return "storage";
        } else if (v instanceof TensorRef) {
            return "tensor";
        } else if (v instanceof TorchGlobals.Callable c) {
            return c.qualifiedName();
        } else if (v instanceof TorchGlobals.StorageType s) {
            return "torch." + s.dtype().storageClass;
        } else if (v instanceof TorchGlobals.DTypeConstant d) {
            return "torch.dtype";
        }
        return v == null ? "null" : v.getClass().getSimpleName();
    }
}

package dev.nn4j.io;

/**
 * The allow-list for the pickle's GLOBAL opcodes. A global names a Python callable; arbitrary ones are how a
 * pickle runs code ({@code os.system}, {@code builtins.eval}), so only the handful a state dict is built from
 * resolve, each to a value of this class. Nothing is ever looked up or loaded by name on the Java side.
 */
final class TorchGlobals {
    /** The callables REDUCE may apply. */
    enum Callable {
        ORDERED_DICT("collections", "OrderedDict"),
        REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2"),
        REBUILD_PARAMETER("torch._utils", "_rebuild_parameter"),
        REBUILD_PARAMETER_WITH_STATE("torch._utils", "_rebuild_parameter_with_state"),
        SIZE("torch", "Size");

        final String module;
        final String name;

        Callable(String module, String name) {
            this.module = module;
            this.name = name;
        }

        String qualifiedName() {
            return module + "." + name;
        }
    }

    /** {@code torch.FloatStorage} and friends: only ever the second field of a storage persistent id. */
    record StorageType(TorchDType dtype) {
    }

    /** {@code torch.float32} and friends, as they appear in metadata; data, never called. */
    record DTypeConstant(TorchDType dtype) {
    }

    private TorchGlobals() {
    }

    /** The allow-listed meaning of {@code module.name}, or a refusal naming it. */
    static Object resolve(String module, String name) {
        for (Callable c : Callable.values()) {
            if (c.module.equals(module) && c.name.equals(name)) {
                return c;
            }
        }
        if (module.equals("torch")) {
            TorchDType storage = TorchDType.byStorageClass(name);
            if (storage != null) {
                return new StorageType(storage);
            }
            TorchDType dtype = TorchDType.byDtypeName(name);
            if (dtype != null) {
                return new DTypeConstant(dtype);
            }
        }
        String what = module + "." + name;
        if (what.equals("torch.storage._load_from_bytes")) {
            // it hands nested bytes to Python's unrestricted pickle.loads, which is exactly what must not happen
            throw new CheckpointException("refused global 'torch.storage._load_from_bytes': it unpickles embedded "
                    + "bytes with the unrestricted pickle module (a storage pickled outside torch.save's zip format)");
        }
        throw new CheckpointException("refused global '" + what + "': a state dict needs only tensors, "
                + "collections.OrderedDict, torch.Size, storage classes and dtypes (what torch.load(weights_only=True) "
                + "accepts); anything else could run code when loaded in Python");
    }
}

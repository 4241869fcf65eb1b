package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * Runs before a module's forward, on every call. PyTorch: {@code module.register_forward_pre_hook(hook)}.
 */
@FunctionalInterface
public interface ForwardPreHook {
    /**
     * Sees (and may replace) the inputs of a call.
     *
     * @param module the module being called
     * @param inputs its inputs
     * @return replacement inputs, or null to keep them
     */
    Tensor[] apply(Module module, Tensor[] inputs);
}

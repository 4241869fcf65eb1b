package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/** Runs after a module's forward, on every call. PyTorch: {@code module.register_forward_hook(hook)}. */
@FunctionalInterface
public interface ForwardHook {
    /**
     * Sees (and may replace) the output of a call.
     *
     * @param module the module called
     * @param inputs its inputs (after the pre-hooks)
     * @param output what its forward returned
     * @return a replacement output, or null to keep it
     */
    Tensor apply(Module module, Tensor[] inputs, Tensor output);
}

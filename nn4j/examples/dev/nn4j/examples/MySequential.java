package dev.nn4j.examples;

import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Module;

/** A Sequential written by hand on the module registry. d2l: {@code class MySequential(nn.Module)}. */
public class MySequential extends Module {
    /** Registers each module under its position, as {@code nn.Sequential} does. */
    public MySequential(Module... modules) {
        for (int i = 0; i < modules.length; i++) {
            addModule(String.valueOf(i), modules[i]);
        }
    }

    @Override
    protected Tensor forward(Tensor x) {
        for (Module m : children()) {
            x = m.call(x);
        }
        return x;
    }
}

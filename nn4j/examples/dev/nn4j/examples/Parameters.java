package dev.nn4j.examples;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;

/** d2l "Parameter Management": accessing parameters one by one, all at once, and in nested blocks. */
public final class Parameters {
    private Parameters() {
    }

    /** The chapter's {@code block1}: Linear(4, 8), ReLU, Linear(8, 4), ReLU. */
    public static Sequential block1() {
        return new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 4), new ReLU());
    }

    /** The chapter's {@code block2}: four {@link #block1()}s named {@code "block 0"} .. {@code "block 3"}. */
    public static Sequential block2() {
        Sequential net = new Sequential();
        for (int i = 0; i < 4; i++) {
            net.add("block " + i, block1());
        }
        return net;
    }

    /** Runs the section's cells. */
    public static void main(String[] args) {
        Rng.manualSeed(0);
        Sequential net = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 1));
        Tensor x = Tensor.rand(2, 4);
        System.out.println("output shape: " + java.util.Arrays.toString(net.call(x).shape()));

        Linear last = net.get(2);
        System.out.println("net[2].state_dict(): " + last.stateDict());
        System.out.println("type: " + last.bias().getClass().getName());
        System.out.println(last.bias());
        System.out.println("bias.data: " + last.bias().data());
        System.out.println("grad is None: " + (last.weight().grad() == null));

        net.get(0).namedParameters().forEach((k, p) -> System.out.print("(" + k + ", " + shape(p) + ") "));
        System.out.println();
        net.namedParameters().forEach((k, p) -> System.out.print("(" + k + ", " + shape(p) + ") "));
        System.out.println();
        System.out.println("state_dict()['2.bias']: " + net.stateDict().get("2.bias"));

        Sequential rgnet = new Sequential(block2(), new Linear(4, 1));
        System.out.println("rgnet output shape: " + java.util.Arrays.toString(rgnet.call(x).shape()));
        System.out.println(rgnet);
        Sequential outer = rgnet.get(0);
        Sequential blk = outer.get(1);
        Linear first = blk.get(0);
        System.out.println("rgnet[0][1][0].bias: " + first.bias().data());
        System.out.println("getSubmodule(\"0.block 1.0\") is the same: " + (rgnet.getSubmodule("0.block 1.0") == first));
    }

    private static String shape(Tensor t) {
        return "torch.Size(" + java.util.Arrays.toString(t.shape()) + ")";
    }
}

package dev.nn4j.optim;

/** Argument checks shared by the optimizers, worded like PyTorch's and naming the argument and its value. */
final class Check {
    private Check() {
    }

    /** {@code value}, if it is a finite number {@code >= 0}; PyTorch's rule for lr, momentum, eps, weight decay. */
    static double nonNegative(String owner, String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(owner + ": invalid " + name + "=" + value + " (" + name
                    + " must be a finite number >= 0)");
        }
        return value;
    }

    /** {@code value}, if it is finite. */
    static double finite(String owner, String name, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(owner + ": invalid " + name + "=" + value + " (" + name
                    + " must be a finite number)");
        }
        return value;
    }

    /** Checks both Adam betas before either is used, so a bad pair changes nothing. */
    static void betas(String owner, double beta1, double beta2) {
        for (int i = 0; i < 2; i++) {
            double b = i == 0 ? beta1 : beta2;
            if (!(b >= 0 && b < 1)) {
                throw new IllegalArgumentException(owner + ": invalid beta parameter at index " + i + ": betas=("
                        + beta1 + ", " + beta2 + ") (each beta must be in [0, 1))");
            }
        }
    }
}

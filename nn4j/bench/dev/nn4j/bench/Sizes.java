package dev.nn4j.bench;

/** The three MLPs of the performance issue: batch and layer widths (ReLU between layers, MSE loss, SGD). */
enum Sizes {
    /** batch 2, 20 -> 256 -> ReLU -> 10: the textbook network. */
    tiny(2, 20, 256, 10),
    /**
     * batch 1, 1 -> 1 -> ReLU -> 1: arithmetic next to nothing, so the step is the framework's own bookkeeping (not
     * in the default run; {@code bench/run.sh -p size=micro 'StepBenchmark'}).
     */
    micro(1, 1, 1, 1),
    /** batch 64, 784 -> 256 -> ReLU -> 10. */
    mid(64, 784, 256, 10),
    /** batch 256, 1024 -> 1024 -> ReLU -> 1024 -> ReLU -> 10. */
    big(256, 1024, 1024, 1024, 10);

    final int batch;
    final int[] dims;

    Sizes(int batch, int... dims) {
        this.batch = batch;
        this.dims = dims;
    }

    static final double LR = 0.01;
}

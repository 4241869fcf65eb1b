package dev.nn4j.optim;

/**
 * Scales the rate linearly from {@code startFactor x base_lr} to {@code endFactor x base_lr} over
 * {@code totalIters} epochs, then keeps it: a warm-up when the start factor is small. PyTorch:
 * {@code lr_scheduler.LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5)}, step for step.
 */
public class LinearLR extends LRScheduler {
    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    /** PyTorch's defaults: start factor 1/3, end factor 1, 5 epochs. */
    public LinearLR(Optimizer optimizer) {
        this(optimizer, 1.0 / 3, 1.0, 5);
    }

    /** PyTorch: {@code LinearLR(optimizer, start_factor, end_factor, total_iters)}. */
    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        super(optimizer);
        if (!(startFactor > 0 && startFactor <= 1) || !(endFactor >= 0 && endFactor <= 1) || totalIters < 1) {
            throw new IllegalArgumentException("LinearLR: expected 0 < start_factor <= 1, 0 <= end_factor <= 1 and "
                    + "total_iters >= 1, got " + startFactor + ", " + endFactor + ", " + totalIters);
        }
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        start();
    }

    @Override
    double next() {
        double lr = optimizer.lr();
        if (lastEpoch == 0) {
            return lr * startFactor;
        }
        if (lastEpoch > totalIters) {
            return lr;
        }
        return lr * (1 + (endFactor - startFactor)
                / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor)));
    }
}

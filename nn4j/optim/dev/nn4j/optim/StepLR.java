package dev.nn4j.optim;

/**
 * Multiplies the rate by {@code gamma} every {@code stepSize} epochs. PyTorch:
 * {@code lr_scheduler.StepLR(optimizer, step_size, gamma=0.1)}.
 */
public class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    /** PyTorch: {@code StepLR(optimizer, step_size)}, gamma 0.1. */
    public StepLR(Optimizer optimizer, int stepSize) {
        this(optimizer, stepSize, 0.1);
    }

    /** PyTorch: {@code StepLR(optimizer, step_size, gamma)}. */
    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize < 1 || !(gamma >= 0)) {
            throw new IllegalArgumentException("StepLR: expected step_size >= 1 and gamma >= 0, got step_size="
                    + stepSize + ", gamma=" + gamma);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
        start();
    }

    @Override
    double next() {
        double lr = optimizer.lr();
        return lastEpoch == 0 || lastEpoch % stepSize != 0 ? lr : lr * gamma;
    }
}

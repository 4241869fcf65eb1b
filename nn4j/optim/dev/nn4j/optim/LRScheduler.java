package dev.nn4j.optim;

/**
 * Changes an optimizer's learning rate once per {@link #step()} (usually once per epoch), as
 * {@code torch.optim.lr_scheduler} does: the rate after {@code t} steps follows each scheduler's own rule, applied
 * to the rate the optimizer had when the scheduler was made ({@code base_lr}).
 * <pre>{@code
 * SGD opt = new SGD(net.parameters(), 0.1);
 * LRScheduler sched = new StepLR(opt, 30, 0.1);
 * for (int epoch = 0; epoch < 90; epoch++) { train(...); sched.step(); }
 * }</pre>
 */
public abstract class LRScheduler {
    final Optimizer optimizer;
    final double baseLr;
    int lastEpoch;

    LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        // PyTorch's initial_lr: the rate before any scheduler touched it, so stacked schedulers share one base
        this.baseLr = optimizer.initialLr();
    }

    /** Sets the rate for epoch 0; called last by each constructor, as PyTorch's {@code __init__} does. */
    final void start() {
        optimizer.lr(rate());
    }

    /**
     * {@link #next()}, never below zero: a rule that decays to 0 can land a rounding error below it, which the
     * optimizer would refuse.
     */
    private double rate() {
        return Math.max(0, next());
    }

    /** The rate for {@link #lastEpoch}, given the optimizer's current rate (PyTorch's chainable {@code get_lr}). */
    abstract double next();

    /** Advances one epoch and sets the optimizer's rate for it. PyTorch: {@code scheduler.step()}. */
    public void step() {
        lastEpoch++;
        optimizer.lr(rate());
    }

    /** The rate last set. PyTorch: {@code scheduler.get_last_lr()[0]}. */
    public double lastLr() {
        return optimizer.lr();
    }

    /** Steps taken. PyTorch: {@code scheduler.last_epoch}. */
    public int lastEpoch() {
        return lastEpoch;
    }
}

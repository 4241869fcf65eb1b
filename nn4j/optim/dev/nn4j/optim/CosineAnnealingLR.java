package dev.nn4j.optim;

/**
 * Anneals the rate from {@code base_lr} to {@code etaMin} along half a cosine over {@code tMax} epochs (then back up,
 * periodically, as PyTorch's). PyTorch: {@code lr_scheduler.CosineAnnealingLR(optimizer, T_max, eta_min=0)}, whose
 * recursive form this follows step by step, so the rates match PyTorch's to the last bits.
 */
public class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    /** PyTorch: {@code CosineAnnealingLR(optimizer, T_max)}. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0);
    }

    /** PyTorch: {@code CosineAnnealingLR(optimizer, T_max, eta_min)}. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax < 1 || !(etaMin >= 0)) {
            throw new IllegalArgumentException("CosineAnnealingLR: expected T_max >= 1 and eta_min >= 0, got T_max="
                    + tMax + ", eta_min=" + etaMin);
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
        start();
    }

    @Override
    double next() {
        double lr = optimizer.lr();
        if (lastEpoch == 0) {
            return lr;
        }
        if ((lastEpoch - 1 - tMax) % (2 * tMax) == 0) {
            return lr + (baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
        }
        return (1 + Math.cos(Math.PI * lastEpoch / tMax)) / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax))
                * (lr - etaMin) + etaMin;
    }
}

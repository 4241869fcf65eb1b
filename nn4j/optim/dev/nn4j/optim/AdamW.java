package dev.nn4j.optim;

import dev.nn4j.nn.Parameter;
import java.util.List;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, 2019, "Decoupled Weight Decay Regularization"): each
 * step first shrinks the parameter, {@code p *= 1 - lr * weightDecay}, then takes the plain Adam step, so the
 * decay never passes through the moment estimates. PyTorch:
 * {@code torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)}.
 * <pre>{@code
 * AdamW opt = new AdamW(net.parameters(), 1e-3).weightDecay(0.1);
 * }</pre>
 */
public class AdamW extends Adam {
    /**
     * AdamW with learning rate {@code lr} and PyTorch's defaults, weight decay 0.01 included. PyTorch:
     * {@code torch.optim.AdamW(params, lr)}.
     *
     * @throws IllegalArgumentException when {@code params} is empty, holds null or one object twice, or when
     *     {@code lr} is negative or not finite
     */
    public AdamW(List<Parameter> params, double lr) {
        super(params, lr, true);
        weightDecay(0.01);
    }

    /** Sets the decay rates, each in {@code [0, 1)}; returns this. PyTorch: {@code betas=(0.9, 0.999)}. */
    @Override
    public AdamW betas(double beta1, double beta2) {
        super.betas(beta1, beta2);
        return this;
    }

    /** Sets the denominator term ({@code >= 0}); returns this. PyTorch: {@code eps=1e-8}. */
    @Override
    public AdamW eps(double eps) {
        super.eps(eps);
        return this;
    }

    /** Sets the decoupled weight decay ({@code >= 0}, default 0.01); returns this. PyTorch: {@code weight_decay=0.1}. */
    @Override
    public AdamW weightDecay(double weightDecay) {
        super.weightDecay(weightDecay);
        return this;
    }

    /** Sets the learning rate used from the next step on; returns this. PyTorch: {@code param_groups[0]["lr"] = lr}. */
    @Override
    public AdamW lr(double lr) {
        super.lr(lr);
        return this;
    }
}

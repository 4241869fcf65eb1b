package dev.nn4j.optim;

import dev.nn4j.core.kernel.OptimizerLoops;
import dev.nn4j.core.kernel.Storage;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba, 2015, "Adam: A Method for Stochastic Optimization"): per-element step sizes from running
 * averages of the gradient and of its square, with bias correction. Weight decay here is an L2 penalty added
 * to the gradient; for decoupled weight decay use {@link AdamW}. PyTorch:
 * {@code torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)}.
 *
 * <p>Per parameter at step {@code t}: {@code g += weightDecay * p}; {@code m = beta1 * m + (1 - beta1) * g};
 * {@code v = beta2 * v + (1 - beta2) * g^2};
 * {@code p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)}. State per parameter: {@code step},
 * {@code exp_avg} (m), {@code exp_avg_sq} (v).
 * <pre>{@code
 * Adam opt = new Adam(net.parameters(), 1e-3).betas(0.9, 0.99);
 * }</pre>
 */
public class Adam extends Optimizer {
    private static final String EXP_AVG = "exp_avg";
    private static final String EXP_AVG_SQ = "exp_avg_sq";

    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double weightDecay;
    private final boolean decoupled;

    /**
     * Adam with learning rate {@code lr} and PyTorch's defaults. PyTorch: {@code torch.optim.Adam(params, lr)}.
     *
     * @throws IllegalArgumentException when {@code params} is empty, holds null or one object twice, or when
     *     {@code lr} is negative or not finite
     */
    public Adam(List<Parameter> params, double lr) {
        this(params, lr, false);
    }

    /** For {@link AdamW}, which is Adam with the weight decay taken out of the gradient. */
    Adam(List<Parameter> params, double lr, boolean decoupled) {
        super(params, lr);
        this.decoupled = decoupled;
    }

    /**
     * Sets the decay rates of the running averages, each in {@code [0, 1)} (default 0.9 and 0.999); returns this.
     * PyTorch: {@code betas=(0.9, 0.999)}.
     */
    public Adam betas(double beta1, double beta2) {
        Check.betas(name(), beta1, beta2);
        this.beta1 = beta1;
        this.beta2 = beta2;
        return this;
    }

    /** Sets the term added to the denominator ({@code >= 0}, default 1e-8); returns this. PyTorch: {@code eps=1e-8}. */
    public Adam eps(double eps) {
        this.eps = Check.nonNegative(name(), "eps", eps);
        return this;
    }

    /**
     * Sets the weight decay ({@code >= 0}; default 0 for Adam, where it is an L2 penalty added to the gradient);
     * returns this. PyTorch: {@code weight_decay=1e-4}.
     */
    public Adam weightDecay(double weightDecay) {
        this.weightDecay = Check.nonNegative(name(), "weightDecay", weightDecay);
        return this;
    }

    /** Sets the learning rate used from the next step on; returns this. PyTorch: {@code param_groups[0]["lr"] = lr}. */
    @Override
    public Adam lr(double lr) {
        super.lr(lr);
        return this;
    }

    /** The first decay rate. PyTorch: {@code param_groups[0]["betas"][0]}. */
    public double beta1() {
        return beta1;
    }

    /** The second decay rate. PyTorch: {@code param_groups[0]["betas"][1]}. */
    public double beta2() {
        return beta2;
    }

    /** The denominator term. PyTorch: {@code param_groups[0]["eps"]}. */
    public double eps() {
        return eps;
    }

    /** The weight decay. PyTorch: {@code param_groups[0]["weight_decay"]}. */
    public double weightDecay() {
        return weightDecay;
    }

    @Override
    List<String> stateNames() {
        return List.of(STEP, EXP_AVG, EXP_AVG_SQ);
    }

    @Override
    Map<String, Double> hyperParameters() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr());
        m.put("betas.0", beta1);
        m.put("betas.1", beta2);
        m.put("eps", eps);
        m.put("weight_decay", weightDecay);
        m.put("decoupled_weight_decay", decoupled ? 1.0 : 0.0);
        return m;
    }

    @Override
    void setHyperParameter(String name, double value) {
        switch (name) {
            case "lr": lr(value); break;
            case "betas.0": betas(value, beta2); break;
            case "betas.1": betas(beta1, value); break;
            case "eps": eps(value); break;
            case "weight_decay": weightDecay(value); break;
            case "decoupled_weight_decay":
                // the kind of decay is the class: Adam's state dict in AdamW (or back) would change the algorithm
                if (value != (decoupled ? 1 : 0)) {
                    throw new IllegalArgumentException("decoupled_weight_decay=" + value + " was saved by "
                            + (decoupled ? "Adam" : "AdamW") + ", but this is " + name() + "; load it into "
                            + (decoupled ? "Adam" : "AdamW"));
                }
                break;
            default: throw new IllegalArgumentException(name() + " has no hyper-parameter \"" + name + "\"");
        }
    }

    @Override
    void update(Parameter p, Storage grad, ParamState s) {
        Tensor avg = s.buffer(EXP_AVG);
        Tensor avgSq = s.buffer(EXP_AVG_SQ);
        if (avg == null) {
            avg = s.zeros(EXP_AVG, p);
            avgSq = s.zeros(EXP_AVG_SQ, p);
        }
        long t = s.countStep();
        // PyTorch's _single_tensor_adam computes these in Python doubles, then each tensor op casts them
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2 = 1 - Math.pow(beta2, t);
        OpMath m = OpMath.of(p.dtype());
        double negStepSize = m.r(-(lr() / biasCorrection1));
        double bc2Sqrt = m.r(Math.sqrt(biasCorrection2));
        double epsR = m.r(eps);
        double decay = m.r(weightDecay);
        double shrink = m.r(1 - lr() * weightDecay);
        double w1 = m.r(1 - beta1);
        double b2 = m.r(beta2);
        double c2 = m.r(1 - beta2);
        // (a coupled decay that rounds to 0 in float32 stays with the loop below, which still adds 0 * p)
        boolean lanes = p.dtype() == org.nd4j.linalg.api.buffer.DataType.FLOAT
                && (weightDecay == 0 || decoupled || (float) decay != 0f);
        if (lanes && OptimizerLoops.adam(p.array(), grad,
                avg.array(), avgSq.array(), new OptimizerLoops.AdamCoefficients((float) negStepSize, (float) bc2Sqrt,
                (float) epsR, (float) (decoupled ? 0 : decay), (float) (decoupled ? shrink : 1), (float) w1,
                (float) b2, (float) c2))) {
            return; // in lanes, the same roundings as updateFloats
        }
        Flat w = Flat.of(p.array());
        Flat g = Flat.read(grad);
        Flat ma = Flat.of(avg.array());
        Flat va = Flat.of(avgSq.array());
        if (w.floatBuffer() != null && g.floatBuffer() != null && ma.floatBuffer() != null
                && va.floatBuffer() != null) {
            updateFloats(w.floatBuffer(), g.floatBuffer(), ma.floatBuffer(), va.floatBuffer(), (int) w.size(),
                    (float) negStepSize, (float) bc2Sqrt, (float) epsR, (float) decay, (float) shrink, (float) w1,
                    (float) b2, (float) c2);
            w.commit();
            ma.commit();
            va.commit();
            return;
        }
        // one rounding per tensor op, in PyTorch's order: p.mul_(1 - lr*wd) or grad.add(p, alpha=wd);
        // exp_avg.lerp_(grad, 1-beta1); exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2);
        // denom = (exp_avg_sq.sqrt() / sqrt(bc2)).add_(eps); p.addcdiv_(exp_avg, denom, value=-lr/bc1)
        for (long i = 0, n = w.size(); i < n; i++) {
            double pi = w.get(i);
            double gi = m.r(g.get(i));
            if (weightDecay != 0) {
                if (decoupled) {
                    pi = m.r(pi * shrink);
                } else {
                    gi = m.r(gi + m.r(decay * pi));
                }
            }
            double mi = lerp(m, ma.get(i), gi, w1);
            double vi = m.r(m.r(va.get(i) * b2) + m.r(m.r(c2 * gi) * gi));
            double denom = m.r(m.r(m.r(Math.sqrt(vi)) / bc2Sqrt) + epsR);
            ma.set(i, mi);
            va.set(i, vi);
            w.set(i, m.r(pi + m.r(m.r(negStepSize * mi) / denom)));
        }
        w.commit();
        ma.commit();
        va.commit();
    }

    /**
     * The loop below in float32 arithmetic on the buffers themselves: each Java float operation rounds once, as
     * each of PyTorch's float kernels does, so the results are those of the general loop (which rounds through
     * double), without its per-element accessors and conversions.
     */
    private void updateFloats(java.nio.FloatBuffer w, java.nio.FloatBuffer g, java.nio.FloatBuffer ma,
                              java.nio.FloatBuffer va, int n, float negStepSize, float bc2Sqrt, float eps,
                              float decay, float shrink, float w1, float b2, float c2) {
        boolean small = Math.abs(w1) < 0.5f;
        float keep = 1f - w1;
        for (int i = 0; i < n; i++) {
            float pi = w.get(i);
            float gi = g.get(i);
            if (weightDecay != 0) {
                if (decoupled) {
                    pi = pi * shrink;
                } else {
                    gi = gi + decay * pi;
                }
            }
            float start = ma.get(i);
            float diff = gi - start;
            float mi = small ? start + w1 * diff : gi - diff * keep;
            float vi = va.get(i) * b2 + (c2 * gi) * gi;
            float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
            ma.put(i, mi);
            va.put(i, vi);
            w.put(i, pi + (negStepSize * mi) / denom);
        }
    }

    /** ATen's lerp: the form that stays accurate for the given weight (it switches at 0.5). */
    private static double lerp(OpMath m, double start, double end, double weight) {
        double diff = m.r(end - start);
        return Math.abs(weight) < 0.5 ? m.r(start + m.r(weight * diff)) : m.r(end - m.r(diff * m.r(1 - weight)));
    }
}

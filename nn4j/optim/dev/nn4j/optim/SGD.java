package dev.nn4j.optim;

import dev.nn4j.core.kernel.Blas;
import dev.nn4j.core.kernel.Storage;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Parameter;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent, optionally with momentum (heavy-ball or Nesterov), dampening and L2 weight decay.
 * PyTorch: {@code torch.optim.SGD(params, lr=0.1, momentum=0.9, dampening=0, weight_decay=0, nesterov=False)}.
 *
 * <p>Per parameter, with gradient {@code g}: {@code g += weightDecay * p}; with momentum, the buffer {@code b}
 * starts as {@code g} and then becomes {@code momentum * b + (1 - dampening) * g}, and {@code g} becomes
 * {@code g + momentum * b} (Nesterov) or {@code b}; finally {@code p -= lr * g}. State per parameter:
 * {@code momentum_buffer}, only when momentum is used.
 * <pre>{@code
 * SGD opt = new SGD(net.parameters(), 0.05).momentum(0.9).weightDecay(1e-4);
 * }</pre>
 */
public class SGD extends Optimizer {
    private static final String BUFFER = "momentum_buffer";

    private double momentum;
    private double dampening;
    private double weightDecay;
    private boolean nesterov;

    /**
     * Plain SGD with learning rate {@code lr}. PyTorch: {@code torch.optim.SGD(params, lr)}.
     *
     * @throws IllegalArgumentException when {@code params} is empty, holds null or one object twice, or when
     *     {@code lr} is negative or not finite
     */
    public SGD(List<Parameter> params, double lr) {
        super(params, lr);
    }

    /** Sets the momentum factor ({@code >= 0}, default 0); returns this. PyTorch: {@code momentum=0.9}. */
    public SGD momentum(double momentum) {
        this.momentum = Check.nonNegative(name(), "momentum", momentum);
        return this;
    }

    /** Sets the dampening of the momentum (default 0); returns this. PyTorch: {@code dampening=0.1}. */
    public SGD dampening(double dampening) {
        this.dampening = Check.finite(name(), "dampening", dampening);
        return this;
    }

    /** Sets the L2 penalty ({@code >= 0}, default 0), added to the gradient; returns this. PyTorch: {@code weight_decay=1e-4}. */
    public SGD weightDecay(double weightDecay) {
        this.weightDecay = Check.nonNegative(name(), "weightDecay", weightDecay);
        return this;
    }

    /**
     * Enables Nesterov momentum, which needs momentum {@code > 0} and dampening 0 (checked at {@link #step}, so
     * the setters may come in any order); returns this. PyTorch: {@code nesterov=True}.
     */
    public SGD nesterov(boolean nesterov) {
        this.nesterov = nesterov;
        return this;
    }

    /** The momentum factor. PyTorch: {@code param_groups[0]["momentum"]}. */
    public double momentum() {
        return momentum;
    }

    /** The dampening. PyTorch: {@code param_groups[0]["dampening"]}. */
    public double dampening() {
        return dampening;
    }

    /** The L2 penalty. PyTorch: {@code param_groups[0]["weight_decay"]}. */
    public double weightDecay() {
        return weightDecay;
    }

    /** Whether Nesterov momentum is on. PyTorch: {@code param_groups[0]["nesterov"]}. */
    public boolean nesterov() {
        return nesterov;
    }

    /** Sets the learning rate used from the next step on; returns this. PyTorch: {@code param_groups[0]["lr"] = lr}. */
    @Override
    public SGD lr(double lr) {
        super.lr(lr);
        return this;
    }

    @Override
    List<String> stateNames() {
        return List.of(BUFFER);
    }

    @Override
    Map<String, Double> hyperParameters() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", lr());
        m.put("momentum", momentum);
        m.put("dampening", dampening);
        m.put("weight_decay", weightDecay);
        m.put("nesterov", nesterov ? 1.0 : 0.0);
        return m;
    }

    @Override
    void setHyperParameter(String name, double value) {
        switch (name) {
            case "lr": lr(value); break;
            case "momentum": momentum(value); break;
            case "dampening": dampening(value); break;
            case "weight_decay": weightDecay(value); break;
            case "nesterov":
                if (value != 0 && value != 1) {
                    throw new IllegalArgumentException("nesterov must be 0 (false) or 1 (true), got " + value);
                }
                nesterov(value == 1);
                break;
            default: throw new IllegalArgumentException("SGD has no hyper-parameter \"" + name + "\"");
        }
    }

    @Override
    String configurationProblem() {
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            return "Nesterov momentum requires a momentum > 0 and zero dampening, got nesterov=true, momentum="
                    + momentum + ", dampening=" + dampening;
        }
        return null;
    }

    /** Scratch for the bulk loops: the parameter (0), its gradient (1), the momentum buffer (2). */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][0]);

    private void updateFloats(FloatBuffer w, FloatBuffer g, FloatBuffer b, boolean first, float decay, float mom,
                              float keep, float alpha, int n) {
        // bulk copies into Java arrays, then plain array loops the JIT vectorizes: element-wise get/put on NIO
        // views cost several times more than the arithmetic for a 200k-parameter layer
        float[] pv = scratch(0, n);
        boolean heapGrad = g.hasArray() && g.arrayOffset() == 0;
        float[] gv = heapGrad ? g.array() : scratch(1, n);
        float[] bv = b == null ? null : scratch(2, n);
        w.get(0, pv, 0, n);
        if (!heapGrad) {
            g.get(0, gv, 0, n);
        }
        if (b != null && !first) {
            b.get(0, bv, 0, n);
        }
        if (b == null && weightDecay == 0) {
            for (int i = 0; i < n; i++) {
                pv[i] = Math.fma(alpha, gv[i], pv[i]); // one rounding, as the BLAS path and PyTorch's add_
            }
        } else {
            boolean decays = weightDecay != 0;
            for (int i = 0; i < n; i++) {
                float pi = pv[i];
                float gi = gv[i];
                if (decays) {
                    gi = gi + decay * pi;
                }
                if (bv != null) {
                    float bi = first ? gi : bv[i] * mom + keep * gi;
                    bv[i] = bi;
                    gi = nesterov ? gi + mom * bi : bi;
                }
                pv[i] = pi + alpha * gi;
            }
        }
        w.put(0, pv, 0, n);
        if (b != null) {
            b.put(0, bv, 0, n);
        }
    }

    private static float[] scratch(int slot, int n) {
        float[][] s = SCRATCH.get();
        if (s[slot].length < n) {
            s[slot] = new float[n];
        }
        return s[slot];
    }

    @Override
    void update(Parameter p, Storage grad, ParamState s) {
        OpMath m = OpMath.of(p.dtype());
        double decay = m.r(weightDecay);
        double mom = m.r(momentum);
        double keep = m.r(1 - dampening);
        double alpha = m.r(-lr());
        if (momentum == 0 && weightDecay == 0 && Blas.axpy((float) alpha, grad, p.storage())) {
            // plain SGD on direct buffers (the steady state, where gradients are reused direct buffers): one
            // BLAS axpy on the buffers the storages already hold, nothing made per step
            return;
        }
        Flat w = Flat.of(p.array());
        Flat g = Flat.read(grad);
        Flat b = null;
        boolean first = false;
        if (momentum != 0) {
            Tensor buffer = s.buffer(BUFFER);
            first = buffer == null;
            b = Flat.of((first ? s.zeros(BUFFER, p) : buffer).array());
        }
        FloatBuffer wf = w.floatBuffer();
        FloatBuffer gf = g.floatBuffer();
        FloatBuffer bf = b == null ? null : b.floatBuffer();
        if (wf != null && gf != null && (b == null || bf != null)) {
            // float32: Java float arithmetic rounds each operation exactly as PyTorch's float kernels do,
            // and the loop over NIO views runs at memory speed
            updateFloats(wf, gf, bf, first, (float) decay, (float) mom, (float) keep, (float) alpha, (int) w.size());
            w.commit();
            if (b != null) {
                b.commit();
            }
            return;
        }
        // PyTorch's _single_tensor_sgd, one rounding per tensor op: grad.add(p, alpha=wd),
        // buf.mul_(momentum).add_(grad, alpha=1-dampening), grad.add(buf, alpha=momentum), p.add_(grad, alpha=-lr)
        for (long i = 0, n = w.size(); i < n; i++) {
            double pi = w.get(i);
            double gi = m.r(g.get(i));
            if (weightDecay != 0) {
                gi = m.r(gi + m.r(decay * pi));
            }
            if (b != null) {
                double bi = first ? gi : m.r(m.r(b.get(i) * mom) + m.r(keep * gi));
                b.set(i, bi);
                gi = nesterov ? m.r(gi + m.r(mom * bi)) : bi;
            }
            w.set(i, m.r(pi + m.r(alpha * gi)));
        }
        w.commit();
        if (b != null) {
            b.commit();
        }
    }
}

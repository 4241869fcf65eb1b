package dev.nn4j.distributed;

import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Storage;
import dev.nn4j.nn.Parameter;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Parameters of one dtype whose gradients travel together in one flat buffer: one all-reduce per bucket instead of
 * one per parameter. Behind the gradients, one slot per parameter says whether this rank computed a gradient for
 * it, so a parameter no rank used keeps no gradient (PyTorch's {@code find_unused_parameters=True} semantics)
 * while one used on some ranks only is averaged with zeros for the others.
 *
 * <p>Like an optimizer, it reads and writes the gradient buffers in place ({@code Tensor.gradStorage}): no tensor
 * is made per parameter and step.
 */
final class GradBucket {
    private final List<Parameter> params;
    private final int[] offsets;
    private final int flagsAt;
    private final float[] floats;
    private final double[] doubles;

    GradBucket(List<Parameter> params) {
        this.params = List.copyOf(params);
        this.offsets = new int[params.size()];
        int at = 0;
        for (int i = 0; i < params.size(); i++) {
            offsets[i] = at;
            at = Math.addExact(at, Math.toIntExact(params.get(i).numel()));
        }
        this.flagsAt = at;
        int length = Math.addExact(at, params.size());
        boolean isDouble = params.get(0).dtype() == DataType.DOUBLE;
        this.floats = isDouble ? null : new float[length];
        this.doubles = isDouble ? new double[length] : null;
    }

    List<Parameter> params() {
        return params;
    }

    /**
     * Sums every rank's gradients of this bucket into its buffer: the communication, which may run on another thread
     * once the bucket's gradients are final, while the backward goes on.
     */
    void allReduce(ProcessGroup group) {
        gather();
        if (floats != null) {
            group.allReduce(floats, 0, floats.length);
        } else {
            group.allReduce(doubles, 0, doubles.length);
        }
    }

    /** Leaves each parameter the average of the summed buffer: after {@link #allReduce}, once the backward is over. */
    void apply(int worldSize) {
        scatter(1.0 / worldSize);
    }

    private void gather() {
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            Storage g = p.gradStorage();
            int n = (int) p.numel();
            if (floats != null) {
                if (g == null) {
                    java.util.Arrays.fill(floats, offsets[i], offsets[i] + n, 0f);
                } else {
                    g.readFloats().get(0, floats, offsets[i], n);
                }
                floats[flagsAt + i] = g == null ? 0 : 1;
            } else {
                if (g == null) {
                    java.util.Arrays.fill(doubles, offsets[i], offsets[i] + n, 0);
                } else {
                    g.readDoubles().get(0, doubles, offsets[i], n);
                }
                doubles[flagsAt + i] = g == null ? 0 : 1;
            }
        }
    }

    private void scatter(double scale) {
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            int from = offsets[i];
            int to = from + (int) p.numel();
            boolean usedSomewhere = floats != null ? floats[flagsAt + i] != 0 : doubles[flagsAt + i] != 0;
            if (!usedSomewhere) {
                continue; // no rank has a gradient for it: it keeps none, as in a single process
            }
            if (floats != null) {
                float s = (float) scale;
                for (int j = from; j < to; j++) {
                    floats[j] *= s;
                }
            } else {
                for (int j = from; j < to; j++) {
                    doubles[j] *= scale;
                }
            }
            Storage g = p.gradStorage();
            if (g == null) {
                p.setGrad(floats != null
                        ? Tensor.of(p.device(), java.util.Arrays.copyOfRange(floats, from, to), p.shape())
                        : Tensor.of(p.device(), java.util.Arrays.copyOfRange(doubles, from, to), p.shape()));
            } else if (floats != null) {
                g.assign(floats, from);
            } else {
                g.assign(doubles, from);
            }
        }
    }
}

package dev.nn4j.nn;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;

/** Flattens dimensions {@code startDim..endDim} into one. PyTorch: {@code nn.Flatten(start_dim=1, end_dim=-1)}. */
public class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    /** PyTorch: {@code nn.Flatten()}: keeps the batch dimension. */
    public Flatten() {
        this(1, -1);
    }

    /** PyTorch: {@code nn.Flatten(start_dim, end_dim)}. */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    protected Tensor forward(Tensor x) {
        int r = x.dim();
        int s = Shapes.dim("flatten", startDim, r);
        int e = Shapes.dim("flatten", endDim, r);
        if (s > e) {
            throw new IllegalArgumentException("flatten() has invalid args: start_dim " + startDim
                    + " cannot come after end_dim " + endDim + " for shape " + Shapes.str(x.shape()));
        }
        long[] in = x.shape();
        long[] out = new long[r - (e - s)];
        int k = 0;
        for (int i = 0; i < r; i++) {
            if (i <= s || i > e) {
                out[k++] = in[i];
            } else {
                out[k - 1] *= in[i];
            }
        }
        return r == 0 ? x.reshape(1) : x.reshape(out);
    }

    @Override
    public String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}

package dev.nn4j.nn;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;

/**
 * Group normalization of {@code [N, C, *]}: each sample's channels split into {@code groups}, each normalized by its
 * own statistics, then a per-channel affine.
 *
 * <p>PyTorch: {@code nn.GroupNorm(num_groups, num_channels, eps=1e-5)}; weight (ones) and bias (zeros) are
 * {@code [C]}.
 */
public class GroupNorm extends Module {
    private final int groups;
    private final long channels;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    /** PyTorch: {@code nn.GroupNorm(num_groups, num_channels)}. */
    public GroupNorm(int groups, long channels) {
        this(groups, channels, 1e-5);
    }

    /** PyTorch: {@code nn.GroupNorm(num_groups, num_channels, eps)}. */
    public GroupNorm(int groups, long channels, double eps) {
        if (groups < 1 || channels < 1 || channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm: num_channels must be divisible by num_groups (got "
                    + "num_groups=" + groups + ", num_channels=" + channels + ")");
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        this.weight = registerParameter("weight", new Parameter(Tensor.ones(channels)));
        this.bias = registerParameter("bias", new Parameter(Tensor.zeros(channels)));
    }

    /** PyTorch: {@code gn.weight}. */
    public Parameter weight() {
        return weight;
    }

    /** PyTorch: {@code gn.bias}. */
    public Parameter bias() {
        return bias;
    }

    @Override
    protected void prepare(Tensor x) {
        if (x.dim() < 2 || x.size(1) != channels) {
            throw new IllegalArgumentException("expected input [N, " + channels + ", *], got input of shape "
                    + Shapes.str(x.shape()));
        }
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.groupNorm(x, groups, weight, bias, eps);
    }

    @Override
    public String extraRepr() {
        return groups + ", " + channels + ", eps=" + Functional.pythonFloat(eps) + ", affine=True";
    }
}

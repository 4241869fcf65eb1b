package dev.nn4j.nn;

import dev.nn4j.core.NoGrad;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;

/**
 * What {@link BatchNorm1d} and {@link BatchNorm2d} share. PyTorch: {@code torch.nn.modules.batchnorm._BatchNorm}.
 *
 * <p>Parameters {@code weight} (ones) and {@code bias} (zeros), buffers {@code running_mean} (zeros),
 * {@code running_var} (ones) and int64 {@code num_batches_tracked}, in PyTorch's state-dict order. In
 * {@code train()} the batch's statistics normalize and the running ones move toward them ({@code momentum}, the
 * unbiased variance); in {@code eval()} the running ones normalize.
 */
abstract class BatchNorm extends Module {
    private static final long[] SCALAR = {};
    final long numFeatures;
    final double eps;
    final double momentum;
    private final Parameter weight;
    private final Parameter bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor numBatchesTracked;

    BatchNorm(long numFeatures, double eps, double momentum) {
        if (numFeatures < 1) {
            throw new IllegalArgumentException(typeName() + ": num_features must be >= 1, got " + numFeatures);
        }
        if (!(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(typeName() + ": expected eps > 0 and momentum in [0, 1], got eps=" + eps
                    + ", momentum=" + momentum);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = registerParameter("weight", new Parameter(Tensor.ones(numFeatures)));
        this.bias = registerParameter("bias", new Parameter(Tensor.zeros(numFeatures)));
        this.runningMean = registerBuffer("running_mean", Tensor.zeros(numFeatures));
        this.runningVar = registerBuffer("running_var", Tensor.ones(numFeatures));
        this.numBatchesTracked = registerBuffer("num_batches_tracked", Tensor.of(new long[] {0}));
        CallTransaction.activate();
    }

    /** The input ranks this layer takes, e.g. "2-D or 3-D". */
    abstract boolean acceptsRank(int rank);

    abstract String ranks();

    /** The scale, {@code [C]}. PyTorch: {@code bn.weight}. */
    public Parameter weight() {
        return weight;
    }

    /** The shift, {@code [C]}. PyTorch: {@code bn.bias}. */
    public Parameter bias() {
        return bias;
    }

    /** PyTorch: {@code bn.running_mean}. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** PyTorch: {@code bn.running_var}. */
    public Tensor runningVar() {
        return runningVar;
    }

    /** How many training batches updated the running statistics. PyTorch: {@code bn.num_batches_tracked}. */
    public Tensor numBatchesTracked() {
        return numBatchesTracked;
    }

    @Override
    protected void prepare(Tensor x) {
        if (!acceptsRank(x.dim())) {
            throw new IllegalArgumentException("expected " + ranks() + " input, got input of shape "
                    + Shapes.str(x.shape()));
        }
        if (x.size(1) != numFeatures) {
            throw new IllegalArgumentException("expected input with " + numFeatures + " channels (dimension 1), got "
                    + "input of shape " + Shapes.str(x.shape()));
        }
    }

    @Override
    protected Tensor forward(Tensor x) {
        if (!isTraining()) {
            return Functional.batchNorm(x, runningMean, runningVar, weight, bias, false, momentum, eps);
        }
        // the running statistics change in place, as in PyTorch; if a later layer refuses the input, the whole
        // call is undone (CallTransaction), so bad input leaves the model as it was
        Tensor mean = runningMean.detach().mul(1);
        Tensor var = runningVar.detach().mul(1);
        Tensor y = Functional.batchNorm(x, runningMean, runningVar, weight, bias, true, momentum, eps);
        long tracked = (long) numBatchesTracked.item();
        numBatchesTracked.put(SCALAR, tracked + 1);
        CallTransaction.onFailureUndo(() -> {
            try (NoGrad scope = NoGrad.enter()) {
                runningMean.copyFrom(mean);
                runningVar.copyFrom(var);
                numBatchesTracked.put(SCALAR, tracked);
            }
        });
        return y;
    }

    @Override
    public String extraRepr() {
        return numFeatures + ", eps=" + Functional.pythonFloat(eps) + ", momentum=" + Functional.pythonFloat(momentum)
                + ", affine=True, track_running_stats=True";
    }
}

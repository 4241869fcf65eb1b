package dev.nn4j.nn;

/**
 * Batch normalization of {@code [N, C]} or {@code [N, C, L]} per channel (feature).
 *
 * <p>PyTorch: {@code nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.1)}; see {@link BatchNorm} for the
 * parameters, buffers and the train/eval behaviour.
 */
public class BatchNorm1d extends BatchNorm {
    /** PyTorch: {@code nn.BatchNorm1d(num_features)}. */
    public BatchNorm1d(long numFeatures) {
        this(numFeatures, 1e-5, 0.1);
    }

    /** PyTorch: {@code nn.BatchNorm1d(num_features, eps, momentum)}. */
    public BatchNorm1d(long numFeatures, double eps, double momentum) {
        super(numFeatures, eps, momentum);
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 2 || rank == 3;
    }

    @Override
    String ranks() {
        return "2-D [N, C] or 3-D [N, C, L]";
    }
}

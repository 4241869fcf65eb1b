package dev.nn4j.nn;

/**
 * Batch normalization of {@code [N, C, H, W]} per channel.
 *
 * <p>PyTorch: {@code nn.BatchNorm2d(num_features, eps=1e-5, momentum=0.1)}; see {@link BatchNorm} for the
 * parameters, buffers and the train/eval behaviour.
 */
public class BatchNorm2d extends BatchNorm {
    /** PyTorch: {@code nn.BatchNorm2d(num_features)}. */
    public BatchNorm2d(long numFeatures) {
        this(numFeatures, 1e-5, 0.1);
    }

    /** PyTorch: {@code nn.BatchNorm2d(num_features, eps, momentum)}. */
    public BatchNorm2d(long numFeatures, double eps, double momentum) {
        super(numFeatures, eps, momentum);
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 4;
    }

    @Override
    String ranks() {
        return "4-D [N, C, H, W]";
    }
}

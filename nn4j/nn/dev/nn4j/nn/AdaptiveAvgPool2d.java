package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * Average pooling of {@code [N, C, H, W]} to a fixed {@code [N, C, outH, outW]}, whatever the input size.
 *
 * <p>PyTorch: {@code nn.AdaptiveAvgPool2d((outH, outW))}; {@code (1, 1)} is global average pooling.
 */
public class AdaptiveAvgPool2d extends Module {
    private final long outH;
    private final long outW;

    /** PyTorch: {@code nn.AdaptiveAvgPool2d((outH, outW))}. */
    public AdaptiveAvgPool2d(long outH, long outW) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be positive, got (" + outH + ", "
                    + outW + ")");
        }
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.adaptiveAvgPool2d(x, outH, outW);
    }

    @Override
    public String extraRepr() {
        return "output_size=(" + outH + ", " + outW + ")";
    }
}

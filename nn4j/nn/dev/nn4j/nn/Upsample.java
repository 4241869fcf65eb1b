package dev.nn4j.nn;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;

/**
 * Upsamples {@code [N, C, H, W]} by an integer factor, nearest or bilinear: the decoder half of U-Nets and
 * feature pyramids. PyTorch: {@code nn.Upsample(scale_factor=s, mode="nearest"|"bilinear", align_corners=...)}
 * (integer factors only; {@code size=} is not supported yet).
 */
public class Upsample extends Module {
    private final int scale;
    private final String mode;
    private final boolean alignCorners;

    /** Nearest neighbour. PyTorch: {@code nn.Upsample(scale_factor=scale)}. */
    public Upsample(int scale) {
        this(scale, "nearest", false);
    }

    /** PyTorch: {@code nn.Upsample(scale_factor=scale, mode=mode)}. */
    public Upsample(int scale, String mode) {
        this(scale, mode, false);
    }

    /** PyTorch: {@code nn.Upsample(scale_factor=scale, mode=mode, align_corners=alignCorners)}. */
    public Upsample(int scale, String mode, boolean alignCorners) {
        if (scale < 1 || !(mode.equals("nearest") || mode.equals("bilinear"))) {
            throw new IllegalArgumentException("Upsample: expected an integer scale_factor >= 1 and mode nearest or "
                    + "bilinear, got " + scale + " and " + mode);
        }
        if (alignCorners && mode.equals("nearest")) {
            throw new IllegalArgumentException("align_corners option can only be set with the interpolating modes: "
                    + "linear | bilinear | bicubic | trilinear");
        }
        this.scale = scale;
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    @Override
    protected void prepare(Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException("expected 4-D input [N, C, H, W], got shape " + Shapes.str(x.shape()));
        }
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.interpolate(x, scale, scale, mode, alignCorners);
    }

    @Override
    public String extraRepr() {
        return "scale_factor=" + Functional.pythonFloat(scale) + ", mode=" + mode;
    }
}

package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Resize;
import dev.nn4j.core.kernel.Storage;

/** Nearest or bilinear upsampling of {@code [N, C, H, W]} by integer factors (see {@link Resize}). */
public final class Upsample2d extends Node {
    private final long[] inputShape;
    private final int sh;
    private final int sw;
    private final boolean bilinear;
    private final boolean alignCorners;

    private Upsample2d(long[] inputShape, int sh, int sw, boolean bilinear, boolean alignCorners) {
        this.inputShape = inputShape;
        this.sh = sh;
        this.sw = sw;
        this.bilinear = bilinear;
        this.alignCorners = alignCorners;
    }

    /**
     * PyTorch: {@code F.interpolate(x, scale_factor=(sh, sw), mode="nearest"|"bilinear", align_corners=...)} for
     * integer factors; {@code alignCorners} only for bilinear (PyTorch refuses it for nearest).
     */
    public static Tensor apply(Tensor x, int sh, int sw, String mode, boolean alignCorners) {
        if (!mode.equals("nearest") && !mode.equals("bilinear")) {
            throw new IllegalArgumentException("interpolate: mode " + mode + " is not supported (nearest, bilinear)");
        }
        if (alignCorners && mode.equals("nearest")) {
            throw new IllegalArgumentException("align_corners option can only be set with the interpolating modes: "
                    + "linear | bilinear | bicubic | trilinear");
        }
        if (x.dim() != 4 || !x.dtype().isFPType()) {
            throw new IllegalArgumentException("interpolate: expected a floating 4-D input [N, C, H, W], got "
                    + x.dtype() + " " + Shapes.str(x.shape()));
        }
        if (sh < 1 || sw < 1) {
            throw new IllegalArgumentException("interpolate: scale factors must be >= 1, got " + sh + " and " + sw);
        }
        boolean bilinear = mode.equals("bilinear");
        return record(new Upsample2d(x.shape(), sh, sw, bilinear, alignCorners),
                Resize.upsample(storage(x), sh, sw, bilinear, alignCorners), x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Resize.upsampleBackward(g, inputShape, sh, sw, bilinear, alignCorners)};
    }

    @Override
    public String name() {
        return bilinear ? "UpsampleBilinear2DBackward" : "UpsampleNearest2DBackward";
    }
}

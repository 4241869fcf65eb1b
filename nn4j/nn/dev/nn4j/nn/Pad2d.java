package dev.nn4j.nn;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;

/**
 * What the 2-D padding layers share: the four sides (left, right, top, bottom), the mode and the checks; each
 * layer is {@link Functional#pad} of the last two dimensions. PyTorch: {@code torch.nn.modules.padding._ReflectionPadNd}
 * and its siblings.
 */
abstract class Pad2d extends Module {
    final int[] padding;
    private final String mode;
    final double value;

    Pad2d(int[] padding, String mode, double value) {
        if (padding.length != 4) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected 4 paddings (left, right, top, "
                    + "bottom), got " + java.util.Arrays.toString(padding));
        }
        this.padding = padding.clone();
        this.mode = mode;
        this.value = value;
    }

    @Override
    protected void prepare(Tensor x) {
        if (x.dim() != 3 && x.dim() != 4) {
            throw new IllegalArgumentException("expected 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape "
                    + Shapes.str(x.shape()));
        }
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.pad(x, padding, mode, value);
    }

    /** PyTorch's {@code (left, right, top, bottom)}. */
    String sides() {
        return "(" + padding[0] + ", " + padding[1] + ", " + padding[2] + ", " + padding[3] + ")";
    }

    @Override
    public String extraRepr() {
        return sides();
    }
}

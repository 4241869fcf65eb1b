package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.DropoutMask;
import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.Elementwise.BinaryOp;
import dev.nn4j.core.kernel.Storage;

/**
 * Dropout in training: {@code x * noise}, the noise {@code 1 / (1 - p)} with probability {@code 1 - p} and 0
 * otherwise; backward {@code g * noise}. PyTorch computes it so on the CPU ({@code _dropout_impl}), hence the
 * name its graph shows, {@code MulBackward}. The noise is made by a kernel straight into the op's own storage (no
 * tensor, no copy) and is the only thing saved. (The module is {@code nn.Dropout}; hence the suffix.)
 */
public final class DropoutOp extends Node {
    /** Index of the saved noise (see {@link #saved}). */
    private int noise;

    private DropoutOp() {
    }

    /** PyTorch: {@code F.dropout(x, p, training=True)} for a floating {@code x} and {@code 0 < p < 1}. */
    public static Tensor apply(Tensor x, double p) {
        return multiply(x, DropoutMask.draw(x.dtype(), x.shape(), 1 - p));
    }

    /**
     * Dropout with a given draw: {@code kept} (1 where an element is kept, 0 where dropped, of {@code x}'s shape)
     * as the Bernoulli sample. PyTorch: {@code x * torch.bernoulli(...).div_(1 - p)}, its draws replayed.
     */
    public static Tensor withDraw(Tensor x, Tensor kept, double p) {
        if (!java.util.Arrays.equals(kept.shape(), x.shape())) {
            throw new IllegalArgumentException("dropout: the draw has shape " + Shapes.str(kept.shape())
                    + ", the input " + Shapes.str(x.shape()));
        }
        return multiply(x, DropoutMask.of(storage(kept), 1 - p, x.dtype()));
    }

    private static Tensor multiply(Tensor x, Storage mask) {
        Storage y = Elementwise.binary(BinaryOp.MUL, storage(x), mask, x.shape(), x.dtype());
        DropoutOp fn = new DropoutOp();
        if (recording(x)) {
            fn.noise = fn.save(mask);
        }
        return record(fn, y, x);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {Elementwise.binary(BinaryOp.MUL, g, saved(noise), g.shape(), g.type())};
    }

    @Override
    public String name() {
        return "MulBackward";
    }
}

package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Recurrent;
import dev.nn4j.core.kernel.Storage;

/**
 * One LSTM time step from its gate pre-activations, fused (see {@link Recurrent}): inputs the input part
 * {@code [B, 4H]}, the hidden part {@code [B, 4H]} and the previous cell state {@code [B, H]}; output
 * {@code [B, 2H]} = {@code [h, c']}. PyTorch fuses the same work in its LSTM cell kernels.
 */
public final class LstmCell extends Node {
    /** Indices of the saved activations, previous cell state and output (see {@link #saved}). */
    private int act;
    private int cell;
    private int out;

    private LstmCell() {
    }

    /** {@code [h, c']} for gate pre-activations {@code xg + hg} and cell state {@code c}. */
    public static Tensor apply(Tensor xg, Tensor hg, Tensor c) {
        sameDevice("lstm_cell", xg, hg, c);
        if (c.dim() != 2 || xg.dim() != 2 || !java.util.Arrays.equals(xg.shape(), hg.shape())
                || xg.size(0) != c.size(0) || xg.size(1) != 4 * c.size(1)) {
            throw new IllegalArgumentException("lstm_cell: expected gates [B, 4H] twice and a cell state [B, H], got "
                    + Shapes.str(xg.shape()) + ", " + Shapes.str(hg.shape()) + " and " + Shapes.str(c.shape()));
        }
        Storage[] r = Recurrent.lstmCell(storage(xg), storage(hg), storage(c));
        LstmCell fn = new LstmCell();
        if (recording(xg, hg, c)) {
            fn.act = fn.save(r[1]);
            fn.cell = fn.save(storage(c));
            // the float32 kernel keeps tanh(c') with the activations; the float64 one recomputes it from the output
            fn.out = r[1].shape()[1] == 5 * c.size(1) ? -1 : fn.save(r[0]);
        }
        return record(fn, r[0], xg, hg, c);
    }

    @Override
    protected Storage[] backward(Storage g) {
        Storage[] r = Recurrent.lstmCellBackward(g, saved(act), saved(cell), out < 0 ? null : saved(out));
        return new Storage[] {r[0], r[0], r[1]};
    }

    @Override
    public String name() {
        return "LstmCellBackward";
    }
}

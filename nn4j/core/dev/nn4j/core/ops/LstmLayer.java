package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.RecurrentLayer;
import dev.nn4j.core.kernel.Storage;

/**
 * A whole LSTM layer in one direction as one op (see {@link RecurrentLayer}): inputs the input projections of the
 * sequence {@code [T, B, 4H]} (bias {@code b_ih} included), the recurrent weight {@code W_hh [4H, H]} and bias
 * {@code b_hh [4H]} (may be null) and the initial states {@code [B, H]}; output every step's {@code [h, c]} packed,
 * {@code [T, B, 2H]}. Backward through time in one call: per step the cell's backward and one gemm for the hidden
 * state, then {@code W_hh}'s gradient as one gemm over the whole sequence. PyTorch runs the same recurrence in its
 * CPU LSTM ({@code _VF.lstm}), recording each step.
 */
public final class LstmLayer extends Node {
    private final boolean reverse;
    private final boolean bias;
    /** Rows running at each time (a packed sequence's batch sizes), or null for all. */
    private final int[] active;
    /** Indices of the saved output, activations, weight and initial states (see {@link #saved}). */
    private int out;
    private int act;
    private int weight;
    private int h0;
    private int c0;

    private LstmLayer(boolean reverse, boolean bias, int[] active) {
        this.reverse = reverse;
        this.bias = bias;
        this.active = active;
    }

    /** The layer over {@code proj} from {@code (h0, c0)}, time running backwards when {@code reverse}. */
    public static Tensor apply(Tensor proj, Tensor whh, Tensor bhh, Tensor h0, Tensor c0, boolean reverse) {
        return apply(proj, whh, bhh, h0, c0, reverse, null);
    }

    /**
     * The layer over a packed sequence's steps: at time {@code t} only the first {@code batchSizes[t]} rows run (the
     * batch sorted by decreasing length, non-increasing sizes, the first the whole batch); the others keep their
     * state and output zeros. The output has one more slab, {@code [T + 1, B, 2H]}: each row's final {@code [h, c]}.
     * PyTorch: the LSTM over a {@code PackedSequence}.
     */
    public static Tensor apply(Tensor proj, Tensor whh, Tensor bhh, Tensor h0, Tensor c0, boolean reverse,
                               int[] batchSizes) {
        sameDevice("lstm", proj, whh, bhh, h0, c0);
        long h = c0.dim() == 2 ? c0.size(1) : -1;
        if (proj.dim() != 3 || h0.dim() != 2 || c0.dim() != 2 || whh.dim() != 2 || proj.size(2) != 4 * h
                || whh.size(0) != 4 * h || whh.size(1) != h || h0.size(0) != proj.size(1) || h0.size(1) != h
                || c0.size(0) != proj.size(1) || (bhh != null && (bhh.dim() != 1 || bhh.size(0) != 4 * h))
                || proj.dtype() != whh.dtype() || proj.dtype() != h0.dtype() || proj.dtype() != c0.dtype()) {
            throw new IllegalArgumentException("lstm: expected projections [T, B, 4H], W_hh [4H, H], b_hh [4H] and "
                    + "states [B, H] of one dtype, got " + Shapes.str(proj.shape()) + ", " + Shapes.str(whh.shape())
                    + ", " + (bhh == null ? "no bias" : Shapes.str(bhh.shape())) + ", " + Shapes.str(h0.shape())
                    + " and " + Shapes.str(c0.shape()));
        }
        int[] active = batchSizes == null ? null : batchSizes.clone();
        if (active != null) {
            checkBatchSizes(active, proj.size(0), proj.size(1));
        }
        Storage[] r = RecurrentLayer.lstm(storage(proj), storage(whh), bhh == null ? null : storage(bhh),
                storage(h0), storage(c0), reverse, active);
        LstmLayer fn = new LstmLayer(reverse, bhh != null, active);
        if (recording(proj, whh, bhh, h0, c0)) {
            fn.out = fn.save(r[0]);
            fn.act = fn.save(r[1]);
            fn.weight = fn.save(storage(whh));
            fn.h0 = fn.save(storage(h0));
            fn.c0 = fn.save(storage(c0));
        }
        return record(fn, r[0], proj, whh, bhh, h0, c0);
    }

    private static void checkBatchSizes(int[] sizes, long steps, long batch) {
        boolean ok = sizes.length == steps && (steps == 0 || sizes[0] == batch);
        for (int t = 0; ok && t < sizes.length; t++) {
            ok = sizes[t] >= 1 && (t == 0 || sizes[t] <= sizes[t - 1]);
        }
        if (!ok) {
            throw new IllegalArgumentException("lstm: batch sizes " + java.util.Arrays.toString(sizes) + " must be "
                    + steps + " non-increasing positive counts starting at the batch size " + batch);
        }
    }

    @Override
    protected Storage[] backward(Storage g) {
        return RecurrentLayer.lstmBackward(g, saved(out), saved(act), saved(weight), saved(h0), saved(c0), reverse,
                bias, active);
    }

    @Override
    public String name() {
        return "LstmLayerBackward";
    }
}

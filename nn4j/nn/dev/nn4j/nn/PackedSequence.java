package dev.nn4j.nn;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import java.util.Arrays;

/**
 * A batch of sequences of different lengths, packed time step by time step: {@code data} holds, for each time in
 * turn, the elements of the sequences still running then ({@code [sum of lengths, *]}), the batch sorted by
 * decreasing length; {@code batchSizes} how many run at each time. Made by {@link RnnUtils#packPaddedSequence} or
 * {@link RnnUtils#packSequence}; {@link RNN}, {@link LSTM} and {@link GRU} run it ({@code callPacked}) without
 * computing past each sequence's end. PyTorch: {@code torch.nn.utils.rnn.PackedSequence}.
 */
public final class PackedSequence {
    private final Tensor data;
    private final long[] batchSizes;
    private final long[] sortedIndices;
    private final long[] unsortedIndices;

    PackedSequence(Tensor data, long[] batchSizes, long[] sortedIndices) {
        this.data = data;
        this.batchSizes = batchSizes.clone();
        this.sortedIndices = sortedIndices == null ? null : sortedIndices.clone();
        this.unsortedIndices = sortedIndices == null ? null : inverse(sortedIndices);
    }

    private static long[] inverse(long[] permutation) {
        long[] inv = new long[permutation.length];
        for (int i = 0; i < permutation.length; i++) {
            inv[(int) permutation[i]] = i;
        }
        return inv;
    }

    /** The packed elements, {@code [sum of lengths, *]}. PyTorch: {@code packed.data}. */
    public Tensor data() {
        return data;
    }

    /** How many sequences run at each time step (int64, {@code [T]}). PyTorch: {@code packed.batch_sizes}. */
    public Tensor batchSizes() {
        return Tensor.of(batchSizes, batchSizes.length);
    }

    /**
     * The original batch position of each sorted one (int64), or null when the batch came sorted. PyTorch:
     * {@code packed.sorted_indices}.
     */
    public Tensor sortedIndices() {
        return sortedIndices == null ? null : Tensor.of(sortedIndices, sortedIndices.length);
    }

    /** The sorted position of each original one (int64), or null. PyTorch: {@code packed.unsorted_indices}. */
    public Tensor unsortedIndices() {
        return unsortedIndices == null ? null : Tensor.of(unsortedIndices, unsortedIndices.length);
    }

    /**
     * The same sequences with other data, batch sizes and order kept: for a layer applied to {@link #data} (the
     * elements' features may change, their count may not). PyTorch: {@code PackedSequence(f(p.data), p.batch_sizes,
     * p.sorted_indices, p.unsorted_indices)}.
     */
    public PackedSequence withData(Tensor newData) {
        long total = 0;
        for (long b : batchSizes) {
            total += b;
        }
        if (newData.dim() < 1 || newData.size(0) != total) {
            throw new IllegalArgumentException("PackedSequence: data must have " + total + " rows (the sum of the "
                    + "batch sizes), got shape " + Shapes.str(newData.shape()));
        }
        return new PackedSequence(newData, batchSizes, sortedIndices);
    }

    long[] sizes() {
        return batchSizes;
    }

    long[] sorted() {
        return sortedIndices;
    }

    long[] unsorted() {
        return unsortedIndices;
    }

    @Override
    public String toString() {
        return "PackedSequence(data=" + data + ", batch_sizes=" + Arrays.toString(batchSizes) + ", sorted_indices="
                + (sortedIndices == null ? "None" : Arrays.toString(sortedIndices)) + ", unsorted_indices="
                + (unsortedIndices == null ? "None" : Arrays.toString(unsortedIndices)) + ")";
    }
}

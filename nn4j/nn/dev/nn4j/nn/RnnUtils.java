package dev.nn4j.nn;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Packing and padding batches of sequences of different lengths, for the recurrent layers. Every function is
 * differentiable in the sequences' values. PyTorch: {@code torch.nn.utils.rnn}.
 */
public final class RnnUtils {
    private RnnUtils() {
    }

    /** What {@link #padPackedSequence} returns: the padded batch and each sequence's length (int64). */
    public record Padded(Tensor output, Tensor lengths) {
    }

    /**
     * Packs a padded batch ({@code [T, B, *]}, or {@code [B, T, *]} with {@code batchFirst}) whose sequence {@code b}
     * has {@code lengths[b]} valid steps. With {@code enforceSorted} the lengths must not increase; otherwise the
     * batch is sorted here and the order kept for unsorting. PyTorch:
     * {@code pack_padded_sequence(input, lengths, batch_first, enforce_sorted)}.
     */
    public static PackedSequence packPaddedSequence(Tensor input, long[] lengths, boolean batchFirst,
                                                    boolean enforceSorted) {
        if (input.dim() < 2) {
            throw new IllegalArgumentException("pack_padded_sequence: expected a padded batch of at least 2 "
                    + "dimensions, got shape " + Shapes.str(input.shape()));
        }
        Tensor x = batchFirst ? input.transpose(0, 1) : input; // [T, B, *]
        long steps = x.size(0);
        long batch = x.size(1);
        if (batch == 0 || lengths.length == 0) {
            throw new IllegalArgumentException("pack_padded_sequence: cannot pack empty tensors (input shape "
                    + Shapes.str(input.shape()) + ", " + lengths.length + " lengths)");
        }
        if (lengths.length != batch) {
            throw new IllegalArgumentException("pack_padded_sequence: expected " + batch + " lengths (the batch size"
                    + " of input " + Shapes.str(input.shape()) + "), got " + lengths.length);
        }
        for (long l : lengths) {
            if (l <= 0 || l > steps) {
                throw new IllegalArgumentException("pack_padded_sequence: every length must lie in [1, " + steps
                        + "] (the padded length), got " + Arrays.toString(lengths));
            }
        }
        long[] order = null;
        long[] sortedLengths = lengths.clone();
        if (enforceSorted) {
            for (int b = 1; b < lengths.length; b++) {
                if (lengths[b] > lengths[b - 1]) {
                    throw new IllegalArgumentException("`lengths` array must be sorted in decreasing order when "
                            + "`enforce_sorted` is True, got " + Arrays.toString(lengths) + ". Pass enforceSorted "
                            + "= false to pack unsorted sequences.");
                }
            }
        } else {
            order = sortDescending(lengths);
            for (int b = 0; b < order.length; b++) {
                sortedLengths[b] = lengths[(int) order[b]];
            }
            x = select(x, order, 1);
        }
        long[] sizes = batchSizes(sortedLengths);
        return new PackedSequence(pack(x, sizes), sizes, order);
    }

    /**
     * Unpacks {@code sequence} into a padded batch, in the original batch order, padded with {@code paddingValue}
     * to {@code totalLength} steps (the longest sequence's length when {@code totalLength <= 0}). PyTorch:
     * {@code pad_packed_sequence(sequence, batch_first, padding_value, total_length)}.
     */
    public static Padded padPackedSequence(PackedSequence sequence, boolean batchFirst, double paddingValue,
                                           long totalLength) {
        long[] sizes = sequence.sizes();
        if (totalLength > 0 && totalLength < sizes.length) {
            throw new IllegalArgumentException("pad_packed_sequence: total_length " + totalLength + " is shorter "
                    + "than the longest sequence (" + sizes.length + ")");
        }
        long steps = Math.max(totalLength, sizes.length);
        Tensor padded = unpack(sequence.data(), sizes, steps, paddingValue); // [T, B, *], sorted
        long[] lengths = lengths(sizes);
        if (sequence.unsorted() != null) {
            padded = select(padded, sequence.unsorted(), 1);
            long[] original = new long[lengths.length];
            for (int b = 0; b < lengths.length; b++) {
                original[b] = lengths[(int) sequence.unsorted()[b]];
            }
            lengths = original;
        }
        return new Padded(batchFirst ? padded.transpose(0, 1) : padded, Tensor.of(lengths, lengths.length));
    }

    /**
     * Stacks sequences of different lengths ({@code [L_i, *]}) into one padded batch, {@code [T, B, *]} (or
     * {@code [B, T, *]}), padded with {@code paddingValue}. PyTorch: {@code pad_sequence(sequences, batch_first,
     * padding_value)}.
     */
    public static Tensor padSequence(List<Tensor> sequences, boolean batchFirst, double paddingValue) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("pad_sequence: received an empty list of sequences");
        }
        long steps = 0;
        for (Tensor s : sequences) {
            if (s.dim() < 1 || !Arrays.equals(tail(s), tail(sequences.get(0))) || s.dtype() != sequences.get(0).dtype()) {
                throw new IllegalArgumentException("pad_sequence: every sequence must be [L, *] with the same trailing "
                        + "shape and dtype, got " + Shapes.str(s.shape()) + " and " + Shapes.str(sequences.get(0).shape()));
            }
            steps = Math.max(steps, s.size(0));
        }
        List<Tensor> rows = new ArrayList<>();
        for (Tensor s : sequences) {
            Tensor p = s.size(0) == steps ? s : Tensor.cat(0, s, fill(paddingValue, steps - s.size(0), s));
            rows.add(p.unsqueeze(1));
        }
        Tensor out = Tensor.cat(1, rows.toArray(new Tensor[0])); // [T, B, *]
        return batchFirst ? out.transpose(0, 1) : out;
    }

    /**
     * Packs sequences of different lengths ({@code [L_i, *]}). PyTorch: {@code pack_sequence(sequences,
     * enforce_sorted)}.
     */
    public static PackedSequence packSequence(List<Tensor> sequences, boolean enforceSorted) {
        long[] lengths = new long[sequences.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = sequences.get(i).size(0);
        }
        return packPaddedSequence(padSequence(sequences, false, 0), lengths, false, enforceSorted);
    }

    // ---------------------------------------------------------------- for the recurrent layers

    /** {@code x} ({@code [T, B, *]}, sorted) packed: for each time, its first {@code sizes[t]} rows. */
    static Tensor pack(Tensor x, long[] sizes) {
        Tensor[] parts = new Tensor[sizes.length];
        for (int t = 0; t < sizes.length; t++) {
            Tensor step = x.get(t);
            parts[t] = sizes[t] == x.size(1) ? step : step.get(NDArrayIndex.interval(0, sizes[t]));
        }
        return Tensor.cat(0, parts);
    }

    /** Packed {@code data} back to {@code [steps, B, *]}, sorted, {@code value} where no sequence runs. */
    static Tensor unpack(Tensor data, long[] sizes, long steps, double value) {
        long batch = sizes[0];
        Tensor[] slabs = new Tensor[(int) steps];
        long at = 0;
        for (int t = 0; t < steps; t++) {
            long n = t < sizes.length ? sizes[t] : 0;
            Tensor step = n == 0 ? null : data.get(NDArrayIndex.interval(at, at + n));
            at += n;
            Tensor full = n == batch ? step : n == 0 ? fill(value, batch, data) : Tensor.cat(0, step,
                    fill(value, batch - n, data));
            slabs[t] = full.unsqueeze(0);
        }
        return Tensor.cat(0, slabs);
    }

    /** Entries {@code index} of {@code x} along {@code dim}, in that order (differentiable). */
    static Tensor select(Tensor x, long[] index, int dim) {
        Tensor moved = dim == 0 ? x : x.transpose(0, dim);
        long[] shape = moved.shape();
        Tensor rows = Functional.embedding(Tensor.of(index, index.length).to(x.device()), moved.reshape(shape[0], -1));
        long[] out = shape.clone();
        out[0] = index.length;
        Tensor back = rows.reshape(out);
        return dim == 0 ? back : back.transpose(0, dim);
    }

    /** How many of the (sorted, decreasing) lengths exceed each time. */
    static long[] batchSizes(long[] sortedLengths) {
        long[] sizes = new long[(int) sortedLengths[0]];
        for (long l : sortedLengths) {
            for (int t = 0; t < l; t++) {
                sizes[t]++;
            }
        }
        return sizes;
    }

    private static long[] lengths(long[] sizes) {
        long[] lengths = new long[(int) sizes[0]];
        for (long s : sizes) {
            for (int b = 0; b < s; b++) {
                lengths[b]++;
            }
        }
        return lengths;
    }

    /** The batch positions by decreasing length, ties in their original order. */
    private static long[] sortDescending(long[] lengths) {
        Integer[] idx = new Integer[lengths.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Long.compare(lengths[b], lengths[a]));
        long[] out = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    private static long[] tail(Tensor t) {
        long[] s = t.shape();
        return Arrays.copyOfRange(s, Math.min(1, s.length), s.length);
    }

    /** {@code rows} rows of {@code value} shaped as {@code like}'s rows, of its dtype and device. */
    private static Tensor fill(double value, long rows, Tensor like) {
        long[] s = like.shape().clone();
        s[0] = rows;
        double[] v = new double[Math.toIntExact(Shapes.numel(s))];
        Arrays.fill(v, value);
        // from float64, so that the value reaches a float64 (or int64) tensor unrounded
        return Tensor.of(v, s).to(like.dtype()).to(like.device());
    }
}

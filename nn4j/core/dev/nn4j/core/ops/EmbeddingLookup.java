package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Layout;
import dev.nn4j.core.kernel.Losses;
import dev.nn4j.core.kernel.Storage;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Rows of a table picked by integer indices: {@code weight[indices]}, shape {@code [indices..., dim]}; backward adds
 * each output row's gradient into its table row (rows picked twice get both). The module is {@code nn.Embedding}.
 */
public final class EmbeddingLookup extends Node {
    /** The indices: the op's own copy, read by the backward. */
    private final long[] index;
    private final long[] tableShape;

    private EmbeddingLookup(long[] index, long[] tableShape) {
        this.index = index;
        this.tableShape = tableShape;
    }

    /**
     * PyTorch: {@code F.embedding(indices, weight)}.
     *
     * @throws IllegalArgumentException for non-integer indices, a weight that is not 2-D, or an index out of range
     *     (naming it, its position and the table's size)
     */
    public static Tensor apply(Tensor indices, Tensor weight) {
        sameDevice("embedding", indices, weight);
        if (indices.dtype() != DataType.LONG && indices.dtype() != DataType.INT) {
            throw new IllegalArgumentException("embedding: expected int64 indices, got " + indices.dtype()
                    + " (shape " + Shapes.str(indices.shape()) + ")");
        }
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("embedding: expected a 2-D weight [num_embeddings, embedding_dim], got "
                    + Shapes.str(weight.shape()));
        }
        long num = weight.size(0);
        long[] index = Losses.classIndices(storage(indices));
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= num) {
                throw new IllegalArgumentException("embedding: index " + index[i] + " at flat position " + i
                        + " is out of range for " + num + " embeddings (valid: 0.." + (num - 1) + "; indices shape "
                        + Shapes.str(indices.shape()) + ")");
            }
        }
        long[] is = indices.shape();
        long[] outShape = java.util.Arrays.copyOf(is, is.length + 1);
        outShape[is.length] = weight.size(1);
        Storage y = Layout.gatherRows(storage(weight), index, outShape);
        return record(new EmbeddingLookup(index, weight.shape()), y, indices, weight);
    }

    @Override
    protected Storage[] backward(Storage g) {
        return new Storage[] {null, Layout.scatterAddRows(g, index, tableShape)};
    }

    @Override
    public String name() {
        return "EmbeddingBackward";
    }
}

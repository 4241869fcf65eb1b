package dev.nn4j.nn;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.init.Init;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A lookup table of {@code num} vectors of size {@code dim}: {@code call(indices)} returns the rows the int64
 * indices pick, shape {@code [indices..., dim]}.
 *
 * <p>PyTorch: {@code nn.Embedding(num_embeddings, embedding_dim)}; the weight starts as N(0, 1), as PyTorch's.
 * <pre>{@code
 * Embedding emb = new Embedding(1000, 128);
 * Tensor vectors = emb.call(Tensor.of(new long[] {3, 14, 15}, 3));   // [3, 128]
 * }</pre>
 */
public class Embedding extends Module {
    private final long num;
    private final long dim;
    private final Parameter weight;

    /** PyTorch: {@code nn.Embedding(num_embeddings, embedding_dim)}. */
    public Embedding(long num, long dim) {
        if (num < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding: num_embeddings and embedding_dim must be >= 1, got " + num
                    + " and " + dim);
        }
        this.num = num;
        this.dim = dim;
        this.weight = registerParameter("weight", new Parameter(Tensor.zeros(num, dim)));
        Init.normal(weight, 0, 1);
    }

    /** The table, {@code [num, dim]}. PyTorch: {@code emb.weight}. */
    public Parameter weight() {
        return weight;
    }

    @Override
    protected void prepare(Tensor indices) {
        if (indices.dtype() != DataType.LONG && indices.dtype() != DataType.INT) {
            throw new IllegalArgumentException("expected int64 indices, got " + indices.dtype() + " (shape "
                    + Shapes.str(indices.shape()) + ")");
        }
    }

    @Override
    protected Tensor forward(Tensor indices) {
        return Functional.embedding(indices, weight);
    }

    @Override
    public String extraRepr() {
        return num + ", " + dim;
    }
}

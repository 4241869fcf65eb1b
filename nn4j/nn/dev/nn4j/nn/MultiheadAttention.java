package dev.nn4j.nn;

import dev.nn4j.core.NoGrad;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.ops.AttentionHeads;
import dev.nn4j.init.Init;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Multi-head attention: queries attend over keys and values in {@code numHeads} subspaces of {@code embedDim /
 * numHeads}, then one output projection. PyTorch: {@code nn.MultiheadAttention(embed_dim, num_heads, dropout=0,
 * bias=True, batch_first=False)}, with its parameters ({@code in_proj_weight} [3E, E], Xavier-uniform;
 * {@code in_proj_bias} [3E] and {@code out_proj.bias} zeros) and its masks: {@code attnMask} [L, S] is added to
 * the scores (a bool mask: true is not allowed), {@code keyPaddingMask} [N, S] marks padded keys (nonzero).
 *
 * <p>Shapes (E = embed_dim): query {@code [L, N, E]}, key and value {@code [S, N, E]} ({@code [N, L, E]} and
 * {@code [N, S, E]} with batchFirst); output as the query; weights {@code [N, L, S]}, averaged over the heads.
 * <pre>{@code
 * MultiheadAttention mha = new MultiheadAttention(128, 4);
 * MultiheadAttention.Output o = mha.callWithWeights(q, k, v, null, null);
 * }</pre>
 */
public class MultiheadAttention extends Module {
    private final long embedDim;
    private final int numHeads;
    private final double dropout;
    private final boolean batchFirst;
    private final Parameter inProjWeight;
    private final Parameter inProjBias;
    private final Linear outProj;

    /** PyTorch: {@code nn.MultiheadAttention(embed_dim, num_heads)}. */
    public MultiheadAttention(long embedDim, int numHeads) {
        this(builder(embedDim, numHeads));
    }

    private MultiheadAttention(Builder b) {
        if (b.embedDim < 1 || b.numHeads < 1 || b.embedDim % b.numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim must be divisible by num_heads (got "
                    + "embed_dim=" + b.embedDim + ", num_heads=" + b.numHeads + ")");
        }
        if (!(b.dropout >= 0 && b.dropout <= 1)) {
            throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1], got " + b.dropout);
        }
        this.embedDim = b.embedDim;
        this.numHeads = b.numHeads;
        this.dropout = b.dropout;
        this.batchFirst = b.batchFirst;
        this.inProjWeight = registerParameter("in_proj_weight", new Parameter(Tensor.zeros(3 * embedDim, embedDim)));
        this.inProjBias = b.bias ? registerParameter("in_proj_bias", new Parameter(Tensor.zeros(3 * embedDim))) : null;
        this.outProj = registerModule("out_proj", new NonDynamicallyQuantizableLinear(embedDim, embedDim, b.bias));
        Init.xavierUniform(inProjWeight);
        if (b.bias) {
            try (NoGrad g = NoGrad.enter()) {
                outProj.bias().fill(0);
            }
        }
    }

    /** Every option: {@code MultiheadAttention.builder(128, 4).batchFirst(true).dropout(0.1).build()}. */
    public static Builder builder(long embedDim, int numHeads) {
        return new Builder(embedDim, numHeads);
    }

    /** Self-attention of {@code x} (query, key and value alike), no masks. */
    @Override
    protected Tensor forward(Tensor x) {
        return attend(x, x, x, null, null, NONE)[0];
    }

    /** The attention output for {@code q}, {@code k}, {@code v}, no masks. PyTorch: {@code mha(q, k, v)[0]}. */
    public Tensor call(Tensor q, Tensor k, Tensor v) {
        return callWithWeights(q, k, v, null, null).output();
    }

    /**
     * The output and the head-averaged attention weights. PyTorch: {@code mha(q, k, v, key_padding_mask,
     * attn_mask=attn_mask)}; either mask may be null.
     *
     * @throws ModuleInputException naming this module, its path and the shapes for a wrong input or mask
     */
    public Output callWithWeights(Tensor q, Tensor k, Tensor v, Tensor keyPaddingMask, Tensor attnMask) {
        return callWithWeights(q, k, v, keyPaddingMask, attnMask, true, true);
    }

    /**
     * {@link #callWithWeights(Tensor, Tensor, Tensor, Tensor, Tensor)} with PyTorch's two switches: without
     * {@code needWeights} the weights are not computed ({@link Output#weights} is null; what
     * {@code TransformerEncoderLayer} asks for), and without {@code averageAttnWeights} they are per head,
     * {@code [N, H, L, S]}. PyTorch: {@code mha(q, k, v, key_padding_mask, need_weights, attn_mask,
     * average_attn_weights)}.
     */
    public Output callWithWeights(Tensor q, Tensor k, Tensor v, Tensor keyPaddingMask, Tensor attnMask,
                                  boolean needWeights, boolean averageAttnWeights) {
        int weights = needWeights ? averageAttnWeights ? AVERAGED : PER_HEAD : NONE;
        Tensor[] r = callGuarded(new Tensor[] {q, k, v, keyPaddingMask, attnMask},
                in -> attend(in[0], in[1], in[2], in[3], in[4], weights));
        return new Output(r[0], r[1]);
    }

    static final int NONE = 0;
    static final int AVERAGED = 1;
    static final int PER_HEAD = 2;

    /** {output, weights (null for {@link #NONE})}. */
    Tensor[] attend(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask,
                    int weights) {
        for (Tensor t : new Tensor[] {query, key, value}) {
            if (t == null || t.dim() != 3 || t.size(2) != embedDim) {
                throw new IllegalArgumentException("expected query, key and value of shape " + (batchFirst
                        ? "[N, L, " : "[L, N, ") + embedDim + "], got " + (t == null ? "null" : Shapes.str(t.shape())));
            }
        }
        boolean packed = query == key && key == value;
        int batchDim = batchFirst ? 0 : 1;
        long l = query.size(1 - batchDim);
        long n = query.size(batchDim);
        long s = key.size(1 - batchDim);
        if (key.size(batchDim) != n || !java.util.Arrays.equals(key.shape(), value.shape())) {
            throw new IllegalArgumentException("key and value must have the same shape and the query's batch size, got "
                    + "query " + Shapes.str(query.shape()) + ", key " + Shapes.str(key.shape()) + ", value "
                    + Shapes.str(value.shape()));
        }
        if (weights == NONE) {
            return new Tensor[] {attendInPlace(query, key, value, keyPaddingMask, attnMask, l, s, n), null};
        }
        Tensor q = batchFirst ? query.transpose(0, 1) : query;
        Tensor k = packed ? q : batchFirst ? key.transpose(0, 1) : key;
        Tensor v = packed ? q : batchFirst ? value.transpose(0, 1) : value;
        long d = embedDim / numHeads;
        Tensor qp;
        Tensor kp;
        Tensor vp;
        if (packed) {
            // self-attention: one product with the stacked weight, as PyTorch's in_projection_packed does
            Tensor all = Functional.linear(q, inProjWeight, inProjBias);
            qp = third(all, 0).reshape(l, n * numHeads, d).transpose(0, 1);
            kp = third(all, 1).reshape(s, n * numHeads, d).transpose(0, 1);
            vp = third(all, 2).reshape(s, n * numHeads, d).transpose(0, 1);
        } else {
            qp = project(q, 0).reshape(l, n * numHeads, d).transpose(0, 1);
            kp = project(k, 1).reshape(s, n * numHeads, d).transpose(0, 1);
            vp = project(v, 2).reshape(s, n * numHeads, d).transpose(0, 1);
        }
        Tensor scores = qp.div(Math.sqrt(d)).matmul(kp.transpose(1, 2)); // [N H, L, S]
        Tensor mask = Masks.merged(attnMask, keyPaddingMask, l, s, n, numHeads, scores.dtype(), scores.device());
        if (mask != null) {
            scores = scores.add(mask);
        }
        Tensor attn = scores.softmax(-1);
        attn = Functional.dropout(attn, dropout, isTraining());
        Tensor out = attn.matmul(vp).transpose(0, 1).reshape(l * n, embedDim);
        out = outProj.call(out).reshape(l, n, embedDim);
        if (batchFirst) {
            out = out.transpose(0, 1);
        }
        Tensor w = weights == NONE ? null : weights == PER_HEAD ? attn.reshape(n, numHeads, l, s)
                : attn.reshape(n, numHeads, l, s).mean(1, false);
        return new Tensor[] {out, w};
    }

    /**
     * The attention without its weights (what {@code TransformerEncoderLayer} asks for): the heads read where the
     * projections leave them, in the inputs' own layout, by one op (no reshapes or transposes).
     */
    private Tensor attendInPlace(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask,
                                 long l, long s, long n) {
        Tensor q;
        Tensor k;
        Tensor v;
        int e = (int) embedDim;
        int[] columns;
        if (query == key && key == value) {
            q = Functional.linear(query, inProjWeight, inProjBias);
            k = q;
            v = q;
            columns = new int[] {0, e, 2 * e};
        } else {
            q = project(query, 0);
            k = project(key, 1);
            v = project(value, 2);
            columns = new int[] {0, 0, 0};
        }
        Tensor mask = Masks.merged(attnMask, keyPaddingMask, l, s, n, numHeads, q.dtype(), q.device());
        Tensor out = AttentionHeads.apply(q, k, v, columns, e, numHeads, batchFirst, mask,
                isTraining() ? dropout : 0);
        return outProj.call(out);
    }

    /** Part {@code k} (0 query, 1 key, 2 value) of the packed projection {@code [.., .., 3E]}. */
    private Tensor third(Tensor packed, int k) {
        return packed.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(k * embedDim,
                (k + 1) * embedDim));
    }

    /** {@code x} through projection {@code k} (0 query, 1 key, 2 value): rows {@code k E ..} of the stacked weight. */
    private Tensor project(Tensor x, int k) {
        Tensor w = inProjWeight.get(NDArrayIndex.interval(k * embedDim, (k + 1) * embedDim), NDArrayIndex.all());
        Tensor b = inProjBias == null ? null : inProjBias.get(NDArrayIndex.interval(k * embedDim, (k + 1) * embedDim));
        return Functional.linear(x, w, b);
    }

    /**
     * What {@link #callWithWeights} returns.
     *
     * @param output the attention output, shaped as the query
     * @param weights {@code [N, L, S]}, averaged over the heads; {@code [N, H, L, S]} when asked for per head;
     *     null when not asked for
     */
    public record Output(Tensor output, Tensor weights) {
    }

    /** Collects a {@link MultiheadAttention}'s options. */
    public static final class Builder {
        private final long embedDim;
        private final int numHeads;
        private boolean batchFirst;
        private boolean bias = true;
        private double dropout;

        Builder(long embedDim, int numHeads) {
            this.embedDim = embedDim;
            this.numHeads = numHeads;
        }

        /** Inputs and outputs as {@code [N, L, E]} (default false: {@code [L, N, E]}). */
        public Builder batchFirst(boolean b) {
            this.batchFirst = b;
            return this;
        }

        /** Whether the projections have biases (default true). */
        public Builder bias(boolean b) {
            this.bias = b;
            return this;
        }

        /** Dropout on the attention weights, in training (default 0). */
        public Builder dropout(double p) {
            this.dropout = p;
            return this;
        }

        /** The layer. */
        public MultiheadAttention build() {
            return new MultiheadAttention(this);
        }
    }
}

package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * One transformer encoder layer: self-attention and a feed-forward block, each with a residual connection and
 * layer norm, after the block (post-norm, the default) or before it ({@code normFirst}). PyTorch:
 * {@code nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
 * batch_first=False, norm_first=False)}, with its children and state-dict names ({@code self_attn},
 * {@code linear1}, {@code dropout}, {@code linear2}, {@code norm1}, {@code norm2}, {@code dropout1},
 * {@code dropout2}).
 * <pre>{@code
 * TransformerEncoderLayer layer = TransformerEncoderLayer.builder(128, 4).dimFeedforward(512).batchFirst(true).build();
 * Tensor y = layer.call(x, causalMask, paddingMask);
 * }</pre>
 */
public class TransformerEncoderLayer extends Module {
    private final MultiheadAttention selfAttn;
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout1;
    private final Dropout dropout2;
    private final boolean normFirst;
    private final boolean gelu;
    /** The options it was built with, for {@link #copy}. */
    private final Builder options;

    private TransformerEncoderLayer(Builder b) {
        if (!b.activation.equals("relu") && !b.activation.equals("gelu")) {
            throw new IllegalArgumentException("TransformerEncoderLayer: activation should be relu/gelu, not "
                    + b.activation);
        }
        this.selfAttn = registerModule("self_attn", MultiheadAttention.builder(b.dModel, b.nhead)
                .dropout(b.dropout).batchFirst(b.batchFirst).build());
        this.linear1 = registerModule("linear1", new Linear(b.dModel, b.dimFeedforward));
        this.dropout = registerModule("dropout", new Dropout(b.dropout));
        this.linear2 = registerModule("linear2", new Linear(b.dimFeedforward, b.dModel));
        this.norm1 = registerModule("norm1", new LayerNorm(b.dModel));
        this.norm2 = registerModule("norm2", new LayerNorm(b.dModel));
        this.dropout1 = registerModule("dropout1", new Dropout(b.dropout));
        this.dropout2 = registerModule("dropout2", new Dropout(b.dropout));
        this.normFirst = b.normFirst;
        this.gelu = b.activation.equals("gelu");
        this.options = b.copy();
    }

    /**
     * An independent layer with the same options and a copy of this one's parameters and mode: what
     * {@link TransformerEncoder} stacks. PyTorch: {@code copy.deepcopy(layer)}.
     */
    public TransformerEncoderLayer copy() {
        TransformerEncoderLayer c = new TransformerEncoderLayer(options);
        Parameter first = parameters().get(0);
        c.to(first.dtype()).to(first.device()); // before the load: the values keep every bit and stay where they are
        c.loadStateDict(stateDict());
        java.util.Map<String, Parameter> mine = namedParameters();
        c.namedParameters().forEach((name, p) -> p.requiresGrad(mine.get(name).requiresGrad()));
        java.util.Map<String, Module> modules = namedModules();
        // parents before children: each module ends with its own mode
        c.namedModules().forEach((name, m) -> m.train(modules.get(name).isTraining()));
        return c;
    }

    /**
     * The causal attention mask for {@code size} positions: {@code [size, size]}, minus infinity above the diagonal
     * (a position may not attend to later ones), float32. PyTorch:
     * {@code nn.Transformer.generate_square_subsequent_mask(size)}.
     */
    public static Tensor squareSubsequentMask(long size) {
        return Masks.causal(size, size).to(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    /** Every option: {@code builder(dModel, nhead).dimFeedforward(512).dropout(0.1).activation("gelu").build()}. */
    public static Builder builder(long dModel, int nhead) {
        return new Builder(dModel, nhead);
    }

    @Override
    protected Tensor forward(Tensor src) {
        return encode(src, null, null);
    }

    /**
     * The layer with an attention mask ({@code [S, S]}, added; a bool one forbids where true) and a key-padding mask
     * ({@code [N, S]}, nonzero marks padding); either may be null. PyTorch: {@code layer(src, src_mask,
     * src_key_padding_mask)}.
     */
    public Tensor call(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask) {
        return callGuarded(new Tensor[] {src, srcMask, srcKeyPaddingMask}, in -> encode(in[0], in[1], in[2]));
    }

    private Tensor encode(Tensor x, Tensor mask, Tensor padding) {
        if (normFirst) {
            x = x.add(attention(norm1.call(x), mask, padding));
            return x.add(feedForward(norm2.call(x)));
        }
        x = norm1.call(x.add(attention(x, mask, padding)));
        return norm2.call(x.add(feedForward(x)));
    }

    private Tensor attention(Tensor x, Tensor mask, Tensor padding) {
        return dropout1.call(selfAttn.callWithWeights(x, x, x, padding, mask, false, true).output());
    }

    private Tensor feedForward(Tensor x) {
        Tensor h = linear1.call(x);
        h = gelu ? Functional.gelu(h) : Functional.relu(h);
        return dropout2.call(linear2.call(dropout.call(h)));
    }

    /** Collects a {@link TransformerEncoderLayer}'s options. */
    public static final class Builder {
        private final long dModel;
        private final int nhead;
        private long dimFeedforward = 2048;
        private double dropout = 0.1;
        private String activation = "relu";
        private boolean batchFirst;
        private boolean normFirst;

        Builder(long dModel, int nhead) {
            this.dModel = dModel;
            this.nhead = nhead;
        }

        private Builder copy() {
            Builder b = new Builder(dModel, nhead);
            b.dimFeedforward = dimFeedforward;
            b.dropout = dropout;
            b.activation = activation;
            b.batchFirst = batchFirst;
            b.normFirst = normFirst;
            return b;
        }

        /** The feed-forward block's width (default 2048). */
        public Builder dimFeedforward(long d) {
            this.dimFeedforward = d;
            return this;
        }

        /** Dropout probability everywhere in the layer (default 0.1). */
        public Builder dropout(double p) {
            this.dropout = p;
            return this;
        }

        /** {@code "relu"} (default) or {@code "gelu"}. */
        public Builder activation(String name) {
            this.activation = name;
            return this;
        }

        /** Inputs as {@code [N, S, E]} (default false: {@code [S, N, E]}). */
        public Builder batchFirst(boolean b) {
            this.batchFirst = b;
            return this;
        }

        /** Layer norm before each block instead of after (default false). */
        public Builder normFirst(boolean b) {
            this.normFirst = b;
            return this;
        }

        /** The layer. */
        public TransformerEncoderLayer build() {
            return new TransformerEncoderLayer(this);
        }
    }
}

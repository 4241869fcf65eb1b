package dev.nn4j.core.ops;

import dev.nn4j.core.Node;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.kernel.Attention;
import dev.nn4j.core.kernel.Storage;
import java.util.ArrayList;
import java.util.List;

/**
 * Multi-head scaled dot-product attention read straight from the projections:
 * {@code dropout(softmax(Q K^T / sqrt(d) + mask)) V} for every batch entry and head, where query, key and value are
 * column blocks of their tensors, heads side by side ({@code [N, L, width]} batch first, else {@code [L, N, width]}),
 * and the output has the query's layout, heads side by side again. PyTorch reshapes and transposes each operand to
 * {@code [N heads, L, d]} around the batched products; this op reads and writes the heads where they lie (see
 * {@link Attention}). Backward: the products' gradients, through dropout's noise and softmax; it keeps the weights
 * before dropout and the noise. The mask takes no gradient. PyTorch: the attention inside
 * {@code F.multi_head_attention_forward} with {@code need_weights=False}.
 */
public final class AttentionHeads extends Node {
    private final Attention.Geometry geometry;
    /** Indices of the saved sources, weights and noise (see {@link #saved}); {@code noise} is -1 without dropout. */
    private int[] sources;
    private int weights;
    private int noise = -1;

    private AttentionHeads(Attention.Geometry geometry) {
        this.geometry = geometry;
    }

    /**
     * The attention of {@code heads} heads. {@code query}, {@code key} and {@code value} may be one tensor (the
     * packed projection of self-attention); {@code columns} gives each one's first column, and each spans
     * {@code embedDim} columns from there. {@code mask} (may be null) is added to the scores, shaped
     * {@code [1 or N heads, 1 or L, S]}; {@code dropout} is the probability of dropping a weight (0 outside
     * training).
     */
    public static Tensor apply(Tensor query, Tensor key, Tensor value, int[] columns, int embedDim, int heads,
                               boolean batchFirst, Tensor mask, double dropout) {
        return apply(query, key, value, columns, embedDim, heads, batchFirst, mask, dropout, null);
    }

    /**
     * {@link #apply(Tensor, Tensor, Tensor, int[], int, int, boolean, Tensor, double)} with a given dropout draw
     * ({@code kept}: 1 where a weight is kept, {@code [N heads, L, S]}), to replay PyTorch's.
     */
    public static Tensor apply(Tensor query, Tensor key, Tensor value, int[] columns, int embedDim, int heads,
                               boolean batchFirst, Tensor mask, double dropout, Tensor kept) {
        Tensor[] qkv = {query, key, value};
        sameDevice("multi_head_attention", query, key, value, mask);
        List<Tensor> distinct = new ArrayList<>();
        int[] source = new int[3];
        for (int i = 0; i < 3; i++) {
            int at = -1;
            for (int j = 0; j < distinct.size(); j++) {
                at = distinct.get(j) == qkv[i] ? j : at;
            }
            if (at < 0) {
                at = distinct.size();
                distinct.add(qkv[i]);
            }
            source[i] = at;
        }
        Attention.Geometry g = geometry(qkv, source, columns.clone(), embedDim, heads, batchFirst);
        checkMask(mask, g);
        Storage[] in = new Storage[distinct.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = storage(distinct.get(i));
        }
        Storage m = mask == null ? null : storage(mask).cast(query.dtype());
        Storage[] r = Attention.forward(in, g, m, 1 - dropout, kept == null ? null : storage(kept));
        AttentionHeads fn = new AttentionHeads(g);
        Tensor[] inputs = distinct.toArray(new Tensor[0]);
        if (recording(inputs)) {
            fn.sources = new int[in.length];
            for (int i = 0; i < in.length; i++) {
                fn.sources[i] = fn.save(in[i]);
            }
            fn.weights = fn.save(r[1]);
            fn.noise = r[2] == null ? -1 : fn.save(r[2]);
        }
        return record(fn, r[0], inputs);
    }

    /** The sizes, checked: three 3-D tensors of one dtype and batch size, key and value of one length. */
    private static Attention.Geometry geometry(Tensor[] qkv, int[] source, int[] columns, int embedDim, int heads,
                                               boolean batchFirst) {
        String[] names = {"query", "key", "value"};
        if (heads <= 0 || embedDim % heads != 0) {
            throw new IllegalArgumentException("multi_head_attention: embed_dim " + embedDim
                    + " must be divisible by num_heads " + heads);
        }
        for (int i = 0; i < 3; i++) {
            Tensor t = qkv[i];
            if (t.dim() != 3 || columns[i] < 0 || columns[i] + embedDim > t.size(2)
                    || t.dtype() != qkv[0].dtype() || !t.dtype().isFPType()) {
                throw new IllegalArgumentException("multi_head_attention: the " + names[i] + " must be a 3-D "
                        + qkv[0].dtype() + " tensor holding columns [" + columns[i] + ", " + (columns[i] + embedDim)
                        + "), got " + t.dtype() + " " + Shapes.str(t.shape()));
            }
        }
        int batchDim = batchFirst ? 0 : 1;
        int rowDim = 1 - batchDim;
        long n = qkv[0].size(batchDim);
        if (qkv[1].size(batchDim) != n || qkv[2].size(batchDim) != n
                || qkv[1].size(rowDim) != qkv[2].size(rowDim)) {
            throw new IllegalArgumentException("multi_head_attention: key and value must have the same length and "
                    + "all three the same batch size, got query " + Shapes.str(qkv[0].shape()) + ", key "
                    + Shapes.str(qkv[1].shape()) + ", value " + Shapes.str(qkv[2].shape()));
        }
        return new Attention.Geometry((int) n, heads, (int) qkv[0].size(rowDim), (int) qkv[1].size(rowDim),
                embedDim / heads, batchFirst, source, columns);
    }

    private static void checkMask(Tensor mask, Attention.Geometry g) {
        if (mask == null) {
            return;
        }
        long b = (long) g.n() * g.heads();
        if (mask.dim() != 3 || (mask.size(0) != 1 && mask.size(0) != b) || (mask.size(1) != 1
                && mask.size(1) != g.l()) || mask.size(2) != g.s()) {
            throw new IllegalArgumentException("multi_head_attention: expected a mask of shape [1 or " + b
                    + ", 1 or " + g.l() + ", " + g.s() + "], got " + Shapes.str(mask.shape()));
        }
    }

    @Override
    protected Storage[] backward(Storage g) {
        Storage[] in = new Storage[sources.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = saved(sources[i]);
        }
        return Attention.backward(g, in, saved(weights), noise < 0 ? null : saved(noise), geometry);
    }

    @Override
    public String name() {
        return "MultiHeadAttentionBackward";
    }
}

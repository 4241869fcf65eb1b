package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * A stack of {@code numLayers} copies of one encoder layer, then an optional final norm (pre-norm stacks want
 * one). PyTorch: {@code nn.TransformerEncoder(encoder_layer, num_layers, norm=None)}, with its children and
 * state-dict names ({@code layers.0.self_attn.in_proj_weight}, ..., {@code norm.weight}).
 * <pre>{@code
 * TransformerEncoder encoder = new TransformerEncoder(
 *         TransformerEncoderLayer.builder(128, 4).dimFeedforward(512).batchFirst(true).build(), 2);
 * Tensor y = encoder.call(x, TransformerEncoderLayer.squareSubsequentMask(seq), paddingMask);
 * }</pre>
 *
 * <p>As in PyTorch, the layers are copies of {@code layer} made at construction ({@link TransformerEncoderLayer#copy}):
 * they start with equal weights and train apart; {@code layer} itself is not part of the stack.
 */
public class TransformerEncoder extends Module {
    private final ModuleList layers;
    private final Module norm;

    /** {@code numLayers} copies of {@code layer}, no final norm. */
    public TransformerEncoder(TransformerEncoderLayer layer, int numLayers) {
        this(layer, numLayers, null);
    }

    /**
     * {@code numLayers} copies of {@code layer}, then {@code norm} (may be null).
     *
     * @throws IllegalArgumentException for a null layer or fewer than one layer
     */
    public TransformerEncoder(TransformerEncoderLayer layer, int numLayers, Module norm) {
        if (layer == null || numLayers < 1) {
            throw new IllegalArgumentException("TransformerEncoder: needs a layer and num_layers >= 1, got "
                    + (layer == null ? "no layer" : "num_layers=" + numLayers));
        }
        ModuleList list = new ModuleList();
        for (int i = 0; i < numLayers; i++) {
            list.add(layer.copy());
        }
        this.layers = registerModule("layers", list);
        this.norm = norm == null ? null : registerModule("norm", norm);
    }

    /** The stacked layers. PyTorch: {@code encoder.layers}. */
    public ModuleList layers() {
        return layers;
    }

    @Override
    protected Tensor forward(Tensor src) {
        return encode(src, null, null);
    }

    /**
     * The stack with an attention mask ({@code [S, S]}) and a key-padding mask ({@code [N, S]}), each passed to
     * every layer; either may be null. PyTorch: {@code encoder(src, mask, src_key_padding_mask)}.
     */
    public Tensor call(Tensor src, Tensor mask, Tensor srcKeyPaddingMask) {
        return callGuarded(new Tensor[] {src, mask, srcKeyPaddingMask}, in -> encode(in[0], in[1], in[2]));
    }

    private Tensor encode(Tensor x, Tensor mask, Tensor padding) {
        for (Module m : layers) {
            if (!(m instanceof TransformerEncoderLayer layer)) {
                throw new IllegalStateException("TransformerEncoder: layers holds a " + m.getClass().getSimpleName()
                        + "; every layer must be a TransformerEncoderLayer");
            }
            x = layer.call(x, mask, padding);
        }
        return norm == null ? x : norm.call(x);
    }
}

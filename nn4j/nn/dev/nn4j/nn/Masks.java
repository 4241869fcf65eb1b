package dev.nn4j.nn;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.device.Device;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Attention masks turned into one additive mask: a float attention mask is added to the scores, a bool one forbids
 * where true (minus infinity), as PyTorch reads them; a key-padding mask forbids wherever it is nonzero (API.md).
 * Masks take no gradient.
 */
final class Masks {
    private Masks() {
    }

    /** {@code [l, s]}: minus infinity where key {@code j} comes after query {@code i} ({@code j > i}), else zero. */
    static Tensor causal(long l, long s) {
        double[] mask = new double[(int) (l * s)];
        for (int i = 0; i < l; i++) {
            for (int j = (int) Math.min(s, i + 1); j < s; j++) {
                mask[(int) (i * s + j)] = Double.NEGATIVE_INFINITY;
            }
        }
        return Tensor.of(mask, l, s);
    }

    /** {@code mask} as an additive float mask of {@code type}: a float mask itself, else minus infinity where nonzero. */
    static Tensor additive(Tensor mask, DataType type, Device device) {
        return mask.dtype().isFPType() ? mask.detach().to(type) : forbidding(mask, type, device);
    }

    /** Minus infinity where {@code mask} is nonzero (whatever its dtype), zero elsewhere. */
    static Tensor forbidding(Tensor mask, DataType type, Device device) {
        double[] v = mask.array().castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] != 0 ? Double.NEGATIVE_INFINITY : 0;
        }
        return Tensor.of(out, mask.shape()).to(type).to(device);
    }

    /**
     * {@code attnMask} ({@code [L, S]}) and {@code keyPaddingMask} ({@code [N, S]}) combined for scores
     * {@code [N heads, L, S]}; null when neither is given.
     */
    static Tensor merged(Tensor attnMask, Tensor keyPaddingMask, long l, long s, long n, int heads, DataType type,
                         Device device) {
        Tensor m = null;
        if (attnMask != null) {
            if (attnMask.dim() != 2 || attnMask.size(0) != l || attnMask.size(1) != s) {
                throw new IllegalArgumentException("The shape of the 2D attn_mask is " + Shapes.str(attnMask.shape())
                        + ", but should be [" + l + ", " + s + "].");
            }
            m = additive(attnMask, type, device).unsqueeze(0); // [1, L, S]
        }
        if (keyPaddingMask != null) {
            if (keyPaddingMask.dim() != 2 || keyPaddingMask.size(0) != n || keyPaddingMask.size(1) != s) {
                throw new IllegalArgumentException("expected key_padding_mask of shape [" + n + ", " + s + "], got "
                        + Shapes.str(keyPaddingMask.shape()));
            }
            // API.md: nonzero marks a padded key, whatever the mask's dtype
            Tensor pad = forbidding(keyPaddingMask, type, device).reshape(n, 1, 1, s);
            // [N, heads, 1, S] -> [N heads, 1, S]
            Tensor expanded = pad.add(Tensor.zeros(n, heads, 1, s).to(type).to(device)).reshape(n * heads, 1, s);
            m = m == null ? expanded : m.add(expanded);
        }
        return m;
    }
}

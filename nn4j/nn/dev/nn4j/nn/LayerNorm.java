package dev.nn4j.nn;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;

/**
 * Layer normalization over the trailing dimensions {@code normalizedShape}, with an elementwise affine.
 *
 * <p>PyTorch: {@code nn.LayerNorm(normalized_shape, eps=1e-5)}. Weight (ones) and bias (zeros) have
 * {@code normalizedShape}; input {@code [*, normalizedShape...]}.
 */
public class LayerNorm extends Module {
    private final long[] normalizedShape;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    /** PyTorch: {@code nn.LayerNorm(normalized_shape)}. */
    public LayerNorm(long... normalizedShape) {
        this(1e-5, normalizedShape);
    }

    /** PyTorch: {@code nn.LayerNorm(normalized_shape, eps)}. */
    public LayerNorm(double eps, long... normalizedShape) {
        if (normalizedShape.length == 0) {
            throw new IllegalArgumentException("LayerNorm: normalized_shape must have at least one dimension");
        }
        Shapes.checkNonNegative("LayerNorm", normalizedShape);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = registerParameter("weight", new Parameter(Tensor.ones(normalizedShape)));
        this.bias = registerParameter("bias", new Parameter(Tensor.zeros(normalizedShape)));
    }

    /** PyTorch: {@code ln.weight}. */
    public Parameter weight() {
        return weight;
    }

    /** PyTorch: {@code ln.bias}. */
    public Parameter bias() {
        return bias;
    }

    @Override
    protected Tensor forward(Tensor x) {
        return Functional.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    @Override
    public String extraRepr() {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < normalizedShape.length; i++) {
            s.append(i > 0 ? ", " : "").append(normalizedShape[i]);
        }
        return s.append(normalizedShape.length == 1 ? ",)" : ")").append(", eps=").append(Functional.pythonFloat(eps))
                .append(", elementwise_affine=True").toString();
    }
}

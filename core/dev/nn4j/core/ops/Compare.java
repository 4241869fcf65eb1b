package dev.nn4j.core.ops;

import dev.nn4j.core.Function;
import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Elementwise comparisons; the result is a bool mask and is never recorded (it has no gradient). */
public final class Compare {
    /** The comparison operators. */
    public enum Kind { GT, GE, LT, LE, EQ }

    private Compare() {
    }

    /** A bool mask of {@code a kind b}, with broadcasting. PyTorch: {@code a > b} etc. */
    public static Tensor apply(Kind kind, Tensor a, Tensor b) {
        String op = kind.name().toLowerCase();
        long[] shape = Shapes.broadcast(op, a.shape(), b.shape());
        DataType type = Promote.of(a, b);
        // through ND4J: comparisons are rare and off the training hot path, so they get no Java kernel
        INDArray x = expand(a.array(), shape, type);
        INDArray y = expand(b.array(), shape, type);
        INDArray out;
        switch (kind) {
            case GT: out = x.gt(y); break;
            case GE: out = either(x.gt(y), x.eq(y)); break;
            case LT: out = x.lt(y); break;
            case LE: out = either(x.lt(y), x.eq(y)); break;
            default: out = x.eq(y); break;
        }
        return Mask.wrap(out.castTo(DataType.BOOL), a, b);
    }

    /** Elementwise OR of two masks (ND4J has no array-array {@code gte}); NaN compares false, as in PyTorch. */
    private static INDArray either(INDArray p, INDArray q) {
        return p.castTo(DataType.INT).addi(q.castTo(DataType.INT)).gt(0);
    }

    private static INDArray expand(INDArray a, long[] shape, DataType type) {
        INDArray x = a.dataType() == type ? a : a.castTo(type);
        if (x.rank() != shape.length) {
            x = x.reshape(Shapes.padLeft(x.shape(), shape.length));
        }
        return java.util.Arrays.equals(x.shape(), shape) ? x : x.broadcast(shape);
    }

    /** Wraps a result that is never differentiable. */
    private static final class Mask extends Function {
        static Tensor wrap(INDArray out, Tensor a, Tensor b) {
            sameDevice("compare", a, b);
            return record(null, out, a, b);
        }

        @Override
        protected dev.nn4j.core.Storage[] backward(dev.nn4j.core.Storage g) {
            throw new IllegalStateException("comparisons have no gradient");
        }
    }
}

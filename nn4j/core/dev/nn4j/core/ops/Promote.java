package dev.nn4j.core.ops;

import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.buffer.DataType;

/** PyTorch's type promotion for two operands, reduced to the types nn4j supports. Internal. */
public final class Promote {
    private Promote() {
    }

    /** The result dtype of a binary op on {@code a} and {@code b}. PyTorch: {@code torch.result_type(a, b)}. */
    public static DataType of(Tensor a, Tensor b) {
        DataType x = a.dtype();
        DataType y = b.dtype();
        if (x == y) {
            return x;
        }
        boolean fx = x.isFPType();
        boolean fy = y.isFPType();
        // a 0-d operand of the same category does not widen a dimensioned one (torch: x_f32 + tensor(1.0, f64) is f32)
        if (fx == fy && a.dim() > 0 && b.dim() == 0) {
            return x;
        }
        if (fx == fy && b.dim() > 0 && a.dim() == 0) {
            return y;
        }
        return types(x, y);
    }

    /** The promoted type of two dtypes: the wider float, else the float, else int64. */
    public static DataType types(DataType x, DataType y) {
        if (x == y) {
            return x;
        }
        boolean fx = x.isFPType();
        boolean fy = y.isFPType();
        if (fx && fy) {
            return x == DataType.DOUBLE || y == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        }
        if (fx) {
            return x;
        }
        if (fy) {
            return y;
        }
        return DataType.LONG;
    }

    /** The floating type an op computes in: the input's if floating, else float32. */
    public static DataType floating(DataType t) {
        return t.isFPType() ? t : DataType.FLOAT;
    }
}

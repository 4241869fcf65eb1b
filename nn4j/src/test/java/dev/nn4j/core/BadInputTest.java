package dev.nn4j.core;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each bad input fails at once, naming the op and the shapes or dtypes involved, and changes nothing. */
class BadInputTest {
    private static void fails(Class<? extends RuntimeException> type, Runnable r, String... fragments) {
        RuntimeException e = assertThrows(type, r::run);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message \"" + e.getMessage() + "\" lacks \"" + f + "\"");
        }
    }

    @Test
    void matmulShapeMismatch() {
        fails(IllegalArgumentException.class, () -> Tensor.ones(2, 3).matmul(Tensor.ones(4, 5)),
                "matmul", "2x3", "4x5");
        fails(IllegalArgumentException.class, () -> Tensor.ones(3).mm(Tensor.ones(3, 1)), "mm", "[3]", "[3, 1]");
    }

    @Test
    void broadcastMismatch() {
        fails(IllegalArgumentException.class, () -> Tensor.ones(3, 4).add(Tensor.ones(3)), "add", "[3, 4]", "[3]");
        fails(IllegalArgumentException.class, () -> Tensor.ones(2, 3).mul(Tensor.ones(4, 3)), "mul", "[2, 3]", "[4, 3]");
    }

    @Test
    void reshapeMismatch() {
        fails(IllegalArgumentException.class, () -> Tensor.ones(3, 4).reshape(5, -1), "reshape", "[5, -1]", "12");
        fails(IllegalArgumentException.class, () -> Tensor.ones(3, 4).reshape(-1, -1), "only one dimension");
        fails(IllegalArgumentException.class, () -> Tensor.ones(3, 4).reshape(2, 2), "[2, 2]", "[3, 4]");
    }

    @Test
    void catMismatch() {
        fails(IllegalArgumentException.class, () -> Tensor.cat(1, Tensor.ones(3, 4), Tensor.ones(2, 4)),
                "cat", "dimension 1", "[3, 4]", "[2, 4]");
        fails(IllegalArgumentException.class, () -> Tensor.cat(0, Tensor.ones(3, 4), Tensor.ones(4)), "cat");
    }

    @Test
    void backwardOfANonScalarNeedsAGradient() {
        Tensor y = Tensor.ones(2, 3).requiresGrad(true).mul(2);
        fails(IllegalStateException.class, y::backward, "scalar", "[2, 3]", "backward(gradient)");
        fails(IllegalArgumentException.class, () -> y.backward(Tensor.ones(3)), "[3]", "[2, 3]");
        fails(IllegalStateException.class, () -> Tensor.ones(1).sum().backward(), "does not require grad");
    }

    @Test
    void inPlaceOnALeafThatRequiresGradIsRefusedOutsideNoGrad() {
        Tensor w = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        fails(IllegalStateException.class, () -> w.addi(1), "addi", "leaf", "NoGrad");
        fails(IllegalStateException.class, () -> w.fill(0), "fill");
        fails(IllegalStateException.class, () -> w.put(new long[] {0}, 3), "put");
        assertArrayEquals(new double[] {1, 2}, w.array().toDoubleVector(), 0, "unchanged");
        try (NoGrad g = NoGrad.enter()) {
            w.addi(1);
        }
        assertArrayEquals(new double[] {2, 3}, w.array().toDoubleVector(), 0);
        Tensor y = w.mul(2);
        fails(IllegalStateException.class, () -> y.muli(2), "part of a graph");
    }

    @Test
    void inPlaceShapeAndTypeRules() {
        fails(IllegalArgumentException.class, () -> Tensor.ones(3).addi(Tensor.ones(2, 3)), "addi", "[3]", "[2, 3]");
        fails(IllegalArgumentException.class, () -> Tensor.arange(3).addi(Tensor.ones(3)), "FLOAT", "LONG");
        fails(IndexOutOfBoundsException.class, () -> Tensor.ones(2, 2).put(new long[] {2, 0}, 1), "out of bounds");
        fails(IllegalArgumentException.class, () -> Tensor.ones(2, 2).put(new long[] {0}, 1), "2 dimensions");
    }

    @Test
    void mixedDtypesWherePyTorchRefusesThem() {
        fails(IllegalArgumentException.class,
                () -> Tensor.ones(2, 2).matmul(Tensor.ones(2, 2).to(DataType.DOUBLE)), "matmul", "FLOAT", "DOUBLE");
        fails(IllegalStateException.class, () -> Tensor.arange(3).requiresGrad(true), "floating point");
    }

    @Test
    void meaninglessNumbersAreRefused() {
        fails(IllegalArgumentException.class, () -> Rng.normal(new double[1], Double.NaN, 1), "normal", "NaN");
        fails(IllegalArgumentException.class, () -> Rng.uniform(new double[1], 0, Double.POSITIVE_INFINITY),
                "uniform", "Infinity");
        fails(IllegalArgumentException.class, () -> Tensor.zeros(2, -1), "negative", "[2, -1]");
        fails(IllegalArgumentException.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2), "[2, 2]", "3 values");
        fails(IllegalStateException.class, () -> Tensor.ones(2).item(), "2 elements");
        fails(IndexOutOfBoundsException.class, () -> Tensor.ones(2, 3).sum(2, false), "sum", "2");
        fails(IndexOutOfBoundsException.class, () -> Tensor.ones(2, 3).get(5), "index 5", "size 2");
        Supplier<Tensor> pow = () -> Tensor.ones(2).pow(Double.NaN);
        fails(IllegalArgumentException.class, pow::get, "pow");
    }
}

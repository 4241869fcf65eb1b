package dev.nn4j.core;

import dev.nn4j.nn.Functional;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Edge cases a review of the kernels found: each failed (wrongly or with a crash) before its fix. */
class ReviewFindingsTest {
    /** An interval with a negative end means what ND4J's own {@code get} makes of it (nn4j's indices are ND4J's). */
    @Test
    void aSliceWithANegativeEndIsResolvedAsNd4jResolvesIt() {
        Tensor x = Tensor.arange(10).to(DataType.FLOAT).reshape(2, 5).requiresGrad(true);
        org.nd4j.linalg.api.ndarray.INDArray expected = x.array().dup()
                .get(NDArrayIndex.all(), NDArrayIndex.interval(1, -1));
        Tensor y = x.get(NDArrayIndex.all(), NDArrayIndex.interval(1, -1));
        assertArrayEquals(expected.shape(), y.shape());
        assertArrayEquals(expected.dup('c').reshape(-1).toDoubleVector(), y.storage().toDoubleArray(), 0);
        y.sum().backward();
        assertEquals(expected.length(), x.grad().sum().item(), 0);
    }

    @Test
    void aConvolutionPaddedWiderThanItsOutputMatchesTheFloat64Path() {
        Rng.manualSeed(2);
        for (long[][] c : new long[][][] {{{1, 1, 1}, {1, 1, 6}, {3}}, {{1, 1, 2, 2}, {1, 1, 8, 8}, {4}}}) {
            Tensor x = Tensor.randn(c[0]);
            Tensor w = Tensor.randn(c[1]);
            int pad = (int) c[2][0];
            boolean two = c[0].length == 4;
            Tensor x64 = x.to(DataType.DOUBLE).requiresGrad(true);
            Tensor w64 = w.to(DataType.DOUBLE).requiresGrad(true);
            Tensor x32 = x.detach().requiresGrad(true);
            Tensor w32 = w.detach().requiresGrad(true);
            Tensor y64 = two ? Functional.conv2d(x64, w64, null, 1, pad, 1, 1) : Functional.conv1d(x64, w64, null, 1, pad, 1, 1);
            Tensor y32 = two ? Functional.conv2d(x32, w32, null, 1, pad, 1, 1) : Functional.conv1d(x32, w32, null, 1, pad, 1, 1);
            assertArrayEquals(y64.shape(), y32.shape());
            assertArrayEquals(y64.storage().toDoubleArray(), y32.storage().toDoubleArray(), 1e-5);
            y64.sum().backward();
            y32.sum().backward();
            assertArrayEquals(x64.grad().storage().toDoubleArray(), x32.grad().storage().toDoubleArray(), 1e-5);
            assertArrayEquals(w64.grad().storage().toDoubleArray(), w32.grad().storage().toDoubleArray(), 1e-5);
        }
    }

    @Test
    void aProductOverAnEmptyInnerDimensionIsZeros() {
        Tensor a = Tensor.zeros(2, 3, 0);
        Tensor b = Tensor.zeros(0, 4);
        Tensor y = a.matmul(b);
        assertArrayEquals(new long[] {2, 3, 4}, y.shape());
        assertEquals(0.0, y.sum().item());
        Tensor c = Tensor.zeros(2, 3, 0).matmul(Tensor.zeros(2, 0, 5));
        assertArrayEquals(new long[] {2, 3, 5}, c.shape());
        assertEquals(0.0, c.sum().item());
    }
}

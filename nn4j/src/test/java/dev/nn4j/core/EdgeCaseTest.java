package dev.nn4j.core;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cases a review found wrong: permuted arrays, shared gradient buffers, empty dimensions, dots, half types. */
class EdgeCaseTest {
    private static double[] values(Tensor t) {
        return t.array().castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
    }

    @Test
    void permutedArraysAreReadInLogicalOrder() {
        Tensor y = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3).transpose(1, 2);
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, values(y.add(0)), 0);
        INDArray permuted = Nd4j.create(new float[] {0, 1, 2, 3, 4, 5}, new long[] {1, 2, 3}, 'c').permute(0, 2, 1);
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, values(Tensor.of(permuted).mul(1)), 0);
        Tensor x = Tensor.randn(2, 2, 3).to(DataType.DOUBLE);
        Tensor w = Tensor.randn(2, 3, 2).to(DataType.DOUBLE);
        assertTrue(Autograd.gradcheck(t -> t[0].transpose(1, 2).mul(t[1]), x, w));
    }

    @Test
    void oneGradientBufferHandedToTwoInputsIsNeverTakenOver() {
        Tensor a = Tensor.randn(2, 3).to(DataType.DOUBLE);
        Tensor w = Tensor.randn(3, 4).to(DataType.DOUBLE);
        assertTrue(Autograd.gradcheck(t -> {
            Tensor b = t[0].exp();
            return t[0].mul(b).sum().add(b.add(t[0]).mm(t[1]).sum());
        }, a, w));
    }

    @Test
    void emptyDimensions() {
        Tensor.randn(4, 4).matmul(Tensor.randn(4, 4)); // leaves a product in the thread's BLAS scratch
        assertArrayEquals(new double[6], values(Tensor.zeros(2, 0).matmul(Tensor.zeros(0, 3))), 0);
        Tensor s = Tensor.zeros(3, 0).sum(1, false);
        assertArrayEquals(new long[] {3}, s.shape());
        assertEquals("tensor([0., 0., 0.])", s.toString());
        Tensor w = Tensor.randn(2, 3).requiresGrad(true);
        Tensor b = Tensor.randn(2).requiresGrad(true);
        Tensor y = dev.nn4j.core.ops.Addmm.apply(Tensor.zeros(0, 3), w, b);
        assertArrayEquals(new long[] {0, 2}, y.shape());
        y.sum().backward();
        assertArrayEquals(new double[6], values(w.grad()), 0);
        assertArrayEquals(new double[2], values(b.grad()), 0);
        Tensor wide = dev.nn4j.core.ops.Addmm.apply(Tensor.zeros(5, 0), Tensor.zeros(3, 0), Tensor.ones(3));
        assertArrayEquals(new long[] {5, 3}, wide.shape());
        assertEquals("tensor([], dtype=torch.int64)", Tensor.arange(0).toString());
        assertEquals("tensor([], size=(0, 4))", Tensor.zeros(0, 4).toString());
    }

    @Test
    void vectorTimesVectorIsADotProduct() {
        Tensor d = Tensor.of(new float[] {1, 2, 3}).matmul(Tensor.of(new float[] {4, 5, 6}));
        assertEquals(0, d.dim());
        assertEquals(32.0, d.item());
        assertTrue(Autograd.gradcheck(t -> t[0].matmul(t[1]), Tensor.randn(3), Tensor.randn(3)));
    }

    @Test
    void halfTypesKeepTheirTypeAndSumCorrectly() {
        Tensor h = Tensor.of(new float[] {.5f, .25f}).to(DataType.HALF);
        assertEquals(0.75, h.sum().item(), 1e-3);
        assertEquals(DataType.HALF, h.sum().dtype());
        assertEquals(0.375, h.mean().item(), 1e-3);
        assertEquals(DataType.HALF, h.exp().dtype());
        assertEquals(Math.exp(0.5), h.exp().get(0).item(), 1e-2);
    }

    @Test
    void reshapeAndTransposeAlwaysCopy() {
        Tensor a = Tensor.zeros(2, 3);
        Tensor b = Tensor.of(Nd4j.zeros(DataType.FLOAT, 2, 3));
        a.reshape(6).addi(1);
        b.reshape(6).addi(1);
        b.t().addi(1);
        assertArrayEquals(new double[6], values(a), 0);
        assertArrayEquals(new double[6], values(b), 0);
    }
}

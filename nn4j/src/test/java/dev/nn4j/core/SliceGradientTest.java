package dev.nn4j.core;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slices of a non-leaf add their gradients into one buffer the engine owns (Node.addsGradIntoInput), and the
 * engine adds later gradients into its own sums in place: the values must be exactly those of the plain path.
 */
class SliceGradientTest {
    @Test
    void slicesOfANonLeafMixedWithOtherUsesGiveTheRightGradient() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad(true);
        Tensor y = x.mul(2.0); // non-leaf: its slices' gradients are summed by the engine
        // a whole use first, then slices (point and interval), one slice used twice, then a whole use again
        Tensor loss = y.sum()
                .add(y.get(0).mul(Tensor.of(new double[] {10, 20}, 2)).sum())
                .add(y.get(2).pow(2).sum())
                .add(y.get(NDArrayIndex.interval(1, 3), NDArrayIndex.point(1)).mul(7.0).sum())
                .add(y.get(0).sum())
                .add(y.mul(y).sum());
        loss.backward();
        // d/dy: 1 + [10,20 | 0,0 | 0,0] + [0,0 | 0,0 | 2y] + [0,0 | 0,7 | 0,7] + [1,1 | 0,0 | 0,0] + 2y
        double[] yv = {2, 4, 6, 8, 10, 12};
        double[] dy = {1 + 10 + 1 + 2 * yv[0], 1 + 20 + 1 + 2 * yv[1], 1 + 2 * yv[2], 1 + 7 + 2 * yv[3],
            1 + 2 * yv[4] + 2 * yv[4], 1 + 2 * yv[5] + 7 + 2 * yv[5]};
        double[] expected = new double[6];
        for (int i = 0; i < 6; i++) {
            expected[i] = 2 * dy[i];
        }
        assertArrayEquals(expected, x.grad().storage().toDoubleArray(), 1e-12);
    }

    @Test
    void aSequenceSlicedStepByStepAsAnRnnDoesPassesGradcheck() {
        assertTrue(Autograd.gradcheck(in -> {
            Tensor proj = in[0].mul(in[0]); // [T, B, H], non-leaf
            Tensor h = in[1];
            Tensor out = null;
            for (int t = 0; t < 4; t++) {
                h = proj.get(t).add(h.tanh());
                out = out == null ? h.sum() : out.add(h.sum());
            }
            return out.add(proj.sum());
        }, Tensor.randn(4, 2, 3).to(DataType.DOUBLE), Tensor.randn(2, 3).to(DataType.DOUBLE)));
    }

    @Test
    void float32SlicesAgreeWithFloat64() {
        Tensor x64 = Tensor.randn(5, 3).to(DataType.DOUBLE).requiresGrad(true);
        Tensor x32 = x64.detach().to(DataType.FLOAT).requiresGrad(true);
        for (Tensor x : new Tensor[] {x64, x32}) {
            Tensor y = x.mul(3.0);
            Tensor loss = y.get(1).sum().add(y.get(4).mul(y.get(1)).sum()).add(y.get(1).sum());
            loss.backward();
        }
        double[] a = x64.grad().storage().toDoubleArray();
        double[] b = x32.grad().storage().toDoubleArray();
        assertArrayEquals(a, b, 1e-4);
    }
}

package dev.nn4j.core.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Optimizer update loops in lanes, for the optimizers of {@code dev.nn4j.optim}: they run only where the JVM has
 * the Vector API ({@link FloatMath}) and every operand is float32 in a form the lanes can read; otherwise the
 * optimizer's own loop runs. Internal.
 */
public final class OptimizerLoops {
    private OptimizerLoops() {
    }

    /**
     * One Adam step in place on the dense float32 arrays {@code param}, {@code expAvg} and {@code expAvgSq} with
     * gradient {@code grad}; returns false, having done nothing, when the lanes cannot run it.
     */
    public static boolean adam(INDArray param, Storage grad, INDArray expAvg, INDArray expAvgSq,
                               AdamCoefficients c) {
        ByteBuffer w = bytes(param);
        ByteBuffer m = bytes(expAvg);
        ByteBuffer v = bytes(expAvgSq);
        if (!FloatMath.vectorized() || w == null || m == null || v == null || grad.type() != DataType.FLOAT
                || grad.size() != param.length() || m.capacity() != w.capacity() || v.capacity() != w.capacity()) {
            return false;
        }
        float[] gHeap = null;
        ByteBuffer gDirect = null;
        if (grad.onHeap()) {
            gHeap = grad.floats();
        } else {
            gDirect = bytes(grad.nd()); // off the heap: the ND4J array is the data
            if (gDirect == null) {
                return false;
            }
        }
        return FloatMath.get().adam(w, gHeap, gDirect, m, v, (int) param.length(), c);
    }

    /**
     * An Adam step's coefficients, each rounded to float32 as PyTorch's float kernels receive them.
     *
     * @param negStep {@code -lr / bias_correction1}
     * @param bc2Sqrt {@code sqrt(bias_correction2)}
     * @param eps epsilon
     * @param decay the L2 penalty's factor (coupled weight decay), 0 for none
     * @param shrink {@code 1 - lr weight_decay} (decoupled weight decay), 1 for none
     * @param w1 {@code 1 - beta1}, the lerp weight of the first moment
     * @param b2 {@code beta2}
     * @param c2 {@code 1 - beta2}
     */
    public record AdamCoefficients(float negStep, float bc2Sqrt, float eps, float decay, float shrink, float w1,
                                   float b2, float c2) {
    }

    /** A dense float32 array's bytes, native order, or null when it is not dense, float32 and on the host. */
    private static ByteBuffer bytes(INDArray a) {
        if (a == null || a.dataType() != DataType.FLOAT || a.length() == 0 || !Storage.isDenseC(a)) {
            return null;
        }
        ByteBuffer b = a.data().asNio();
        if (b == null || !b.isDirect() || b.capacity() < a.length() * Float.BYTES) {
            return null;
        }
        return b.duplicate().order(ByteOrder.nativeOrder());
    }
}

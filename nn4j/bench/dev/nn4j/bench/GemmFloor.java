package dev.nn4j.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Only the matrix products of a training step (or of inference), as bare {@code cblas_sgemm} calls on preallocated
 * direct buffers: the forward products, and in the backward each layer's weight gradient and (except for the first
 * layer) its input gradient, with the transpose flags nn4j uses. Nothing else: no bias, activation, loss, update or
 * allocation. No framework can run the step below this time on one thread with this BLAS; it shows which targets
 * against DL4J are reachable at all.
 */
final class GemmFloor {
    private final int batch;
    private final int[] dims;
    private final FloatBuffer[] acts;
    private final FloatBuffer[] weights;
    private final FloatBuffer[] weightGrads;
    private final FloatBuffer[] actGrads;

    GemmFloor(Sizes s) {
        batch = s.batch;
        dims = s.dims;
        int layers = dims.length - 1;
        acts = new FloatBuffer[layers + 1];
        actGrads = new FloatBuffer[layers + 1];
        weights = new FloatBuffer[layers];
        weightGrads = new FloatBuffer[layers];
        for (int i = 0; i <= layers; i++) {
            acts[i] = filled(batch * dims[i], 0.5f);
            actGrads[i] = filled(batch * dims[i], 0.01f);
        }
        for (int i = 0; i < layers; i++) {
            weights[i] = filled(dims[i + 1] * dims[i], 0.02f);
            weightGrads[i] = filled(dims[i + 1] * dims[i], 0f);
        }
    }

    private static FloatBuffer filled(int n, float v) {
        FloatBuffer b = ByteBuffer.allocateDirect(Math.max(n, 1) * Float.BYTES).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        for (int i = 0; i < n; i++) {
            b.put(i, v);
        }
        return b;
    }

    /** The forward products: {@code h[i+1] = h[i] W[i]^T}. */
    float infer() {
        for (int i = 0; i + 1 < dims.length; i++) {
            int in = dims[i];
            int out = dims[i + 1];
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                    openblas_nolapack.CblasTrans, batch, out, in, 1f, acts[i], in, weights[i], in, 0f, acts[i + 1],
                    out);
        }
        return acts[dims.length - 1].get(0);
    }

    /** The forward products, then per layer from the last: {@code dW = g^T h} and {@code dh = g W}. */
    float train() {
        infer();
        for (int i = dims.length - 2; i >= 0; i--) {
            int in = dims[i];
            int out = dims[i + 1];
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans,
                    openblas_nolapack.CblasNoTrans, out, in, batch, 1f, actGrads[i + 1], out, acts[i], in, 0f,
                    weightGrads[i], in);
            if (i > 0) {
                openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                        openblas_nolapack.CblasNoTrans, batch, in, out, 1f, actGrads[i + 1], out, weights[i], in, 0f,
                        actGrads[i], in);
            }
        }
        return weightGrads[0].get(0);
    }
}

package dev.nn4j.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Only the matrix products of a {@link CnnStep}, as bare {@code cblas_sgemm} calls on preallocated direct buffers,
 * shaped as nn4j's per-image convolution makes them: per image and convolution, the forward product
 * {@code W [Cout, K] x cols [K, L]}, the weight gradient {@code g [Cout, L] x cols^T} and (but for the first layer)
 * the column gradient {@code W^T x g}; the linear layers as in {@link GemmFloor}. Nothing else: no im2col, norm,
 * activation, pooling, loss or update.
 */
final class CnnGemmFloor {
    /** One convolution: channels in and out, kernel, output positions per image. */
    private record Conv(int cin, int cout, int k, int l) {
    }

    private final int batch;
    private final Conv[] convs;
    private final int[] dims;
    private final FloatBuffer a;
    private final FloatBuffer b;
    private final FloatBuffer c;

    CnnGemmFloor(String model) {
        if (model.equals("lenet")) {
            batch = 64;
            convs = new Conv[] {new Conv(1, 6, 5, 28 * 28), new Conv(6, 16, 5, 10 * 10)};
            dims = new int[] {400, 120, 84, 10};
        } else {
            batch = 32;
            convs = new Conv[7];
            convs[0] = new Conv(3, 32, 3, 32 * 32);
            for (int i = 1; i < 7; i++) {
                convs[i] = new Conv(32, 32, 3, 32 * 32);
            }
            dims = new int[] {32, 10};
        }
        int max = 1 << 22;
        a = filled(max, 0.01f);
        b = filled(max, 0.02f);
        c = filled(max, 0f);
    }

    private static FloatBuffer filled(int n, float v) {
        FloatBuffer f = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n; i++) {
            f.put(i, v);
        }
        return f;
    }

    private void gemm(boolean ta, boolean tb, int m, int n, int k, float beta) {
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, ta ? openblas_nolapack.CblasTrans
                : openblas_nolapack.CblasNoTrans, tb ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m, n, k, 1f, a, ta ? m : k, b, tb ? k : n, beta, c, n);
    }

    float train() {
        for (Conv v : convs) {
            int kk = v.cin * v.k * v.k;
            for (int i = 0; i < batch; i++) {
                gemm(false, false, v.cout, v.l, kk, 0f);
            }
        }
        for (int i = 0; i + 1 < dims.length; i++) {
            gemm(false, true, batch, dims[i + 1], dims[i], 0f);
        }
        for (int i = dims.length - 2; i >= 0; i--) {
            gemm(true, false, dims[i + 1], dims[i], batch, 0f);
            gemm(false, false, batch, dims[i], dims[i + 1], 0f);
        }
        for (int j = convs.length - 1; j >= 0; j--) {
            Conv v = convs[j];
            int kk = v.cin * v.k * v.k;
            for (int i = 0; i < batch; i++) {
                gemm(false, true, v.cout, kk, v.l, i == 0 ? 0f : 1f);
                if (j > 0) {
                    gemm(true, false, kk, v.l, v.cout, 0f);
                }
            }
        }
        return c.get(0);
    }
}

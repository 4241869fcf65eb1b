package dev.nn4j.core.kernel;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * Convolution over NCHW data (NCL for 1-D, seen as height 1): the input unfolded into columns (im2col) and one
 * gemm per group forward; backward, the weight gradient as one gemm against the columns (recomputed, not kept:
 * they can be far larger than the activations), the input gradient as one gemm folded back (col2im), and the bias
 * gradient as channel sums. Internal.
 */
public final class Convolutions {
    private Convolutions() {
    }

    /**
     * The shape of one convolution: batch {@code n}, channels {@code c}, input {@code h x w}, {@code cout} filters
     * of {@code kh x kw}, and per dimension stride, zero padding and dilation; {@code groups} splits the channels.
     */
    public record Geometry(int n, int c, int h, int w, int cout, int kh, int kw, int sh, int sw, int ph, int pw,
                           int dh, int dw, int groups) {
        /** Output height. */
        public int oh() {
            return (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        }

        /** Output width. */
        public int ow() {
            return (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        }

        /** Output positions per image. */
        int l() {
            return oh() * ow();
        }

        /** Rows of one group's columns: its input channels times the filter's positions. */
        int k() {
            return c / groups * kh * kw;
        }
    }

    /** {@code conv(x, w) + b} ({@code b} may be null) as {@code [n, cout, oh, ow]}, in {@code x}'s type. */
    public static Storage forward(Storage x, Storage w, Storage b, Geometry q, long[] outShape) {
        if (x.type() == DataType.FLOAT && Blas.directBlas()) {
            return Storage.ofFloats(PerImage.forward(x.floats(), w, b == null ? null : b.floats(), q), outShape);
        }
        // float64, and float32 where BLAS cannot be called directly (CUDA): the batched path in double
        return Storage.owning(forwardDoubles(x.doubles(), w.doubles(), b == null ? null : b.doubles(), q), outShape,
                x.type());
    }

    /**
     * The transposed convolution of {@code x}: what {@link #backward} gives as the input gradient when {@code x} is
     * the output gradient of the convolution {@code q} ({@code q}'s output is {@code x}'s shape, its input
     * {@code outShape}). The same im2col products, read the other way. PyTorch: {@code conv_transpose2d}.
     */
    public static Storage transposed(Storage x, Storage w, Geometry q, long[] outShape) {
        // the convolution's input values are not read for its input gradient: zeros give the shape
        return backward(x, Storage.heapZeros(x.type(), outShape), w, q, true, false, false)[0];
    }

    /**
     * The gradients {input, weight, bias} for the output gradient {@code g}; each null unless asked for.
     */
    public static Storage[] backward(Storage g, Storage x, Storage w, Geometry q, boolean needX, boolean needW,
                                     boolean needB) {
        Storage[] out = new Storage[3];
        if (x.type() == DataType.FLOAT && Blas.directBlas()) {
            float[][] r = PerImage.backward(g.floats(), x.floats(), w, q, needX, needW, needB);
            out[0] = r[0] == null ? null : Storage.ofFloats(r[0], x.shape());
            out[1] = r[1] == null ? null : Storage.ofFloats(r[1], w.shape());
            out[2] = r[2] == null ? null : Storage.ofFloats(r[2], new long[] {q.cout()});
        } else {
            double[][] r = backwardDoubles(g.doubles(), x.doubles(), w.doubles(), q, needX, needW, needB);
            out[0] = r[0] == null ? null : Storage.owning(r[0], x.shape(), x.type());
            out[1] = r[1] == null ? null : Storage.owning(r[1], w.shape(), w.type());
            out[2] = r[2] == null ? null : Storage.owning(r[2], new long[] {q.cout()}, x.type());
        }
        return out;
    }

    private static void im2col(double[] x, Geometry q, double[] col) {
        int oh = q.oh();
        int ow = q.ow();
        int l = oh * ow;
        int nl = q.n() * l;
        for (int ch = 0; ch < q.c(); ch++) {
            for (int i = 0; i < q.kh(); i++) {
                for (int j = 0; j < q.kw(); j++) {
                    int rowBase = ((ch * q.kh() + i) * q.kw() + j) * nl;
                    int dx = j * q.dw() - q.pw();
                    for (int n = 0; n < q.n(); n++) {
                        int xBase = (n * q.c() + ch) * q.h() * q.w();
                        int cBase = rowBase + n * l;
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * q.sh() - q.ph() + i * q.dh();
                            int c0 = cBase + oy * ow;
                            if (iy < 0 || iy >= q.h()) {
                                java.util.Arrays.fill(col, c0, c0 + ow, 0);
                                continue;
                            }
                            int rowX = xBase + iy * q.w();
                            for (int ox = 0; ox < ow; ox++) {
                                int ix = ox * q.sw() + dx;
                                col[c0 + ox] = ix >= 0 && ix < q.w() ? x[rowX + ix] : 0;
                            }
                        }
                    }
                }
            }
        }
    }

    private static void col2im(double[] col, Geometry q, double[] gx) {
        int oh = q.oh();
        int ow = q.ow();
        int l = oh * ow;
        int nl = q.n() * l;
        for (int ch = 0; ch < q.c(); ch++) {
            for (int i = 0; i < q.kh(); i++) {
                for (int j = 0; j < q.kw(); j++) {
                    int rowBase = ((ch * q.kh() + i) * q.kw() + j) * nl;
                    int dx = j * q.dw() - q.pw();
                    for (int n = 0; n < q.n(); n++) {
                        int xBase = (n * q.c() + ch) * q.h() * q.w();
                        int cBase = rowBase + n * l;
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * q.sh() - q.ph() + i * q.dh();
                            if (iy < 0 || iy >= q.h()) {
                                continue;
                            }
                            int rowX = xBase + iy * q.w();
                            int c0 = cBase + oy * ow;
                            for (int ox = 0; ox < ow; ox++) {
                                int ix = ox * q.sw() + dx;
                                if (ix >= 0 && ix < q.w()) {
                                    gx[rowX + ix] += col[c0 + ox];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static double[] forwardDoubles(double[] x, double[] w, double[] b, Geometry q) {
        int l = q.l();
        int nl = q.n() * l;
        int k = q.k();
        int coutg = q.cout() / q.groups();
        double[] col = new double[q.groups() * k * nl];
        im2col(x, q, col);
        double[] tmp = new double[q.cout() * nl];
        for (int g = 0; g < q.groups(); g++) {
            Blas.gemm(false, false, coutg, nl, k, w, g * coutg * k, k, col, g * k * nl, nl, tmp, g * coutg * nl, nl);
        }
        double[] out = new double[q.n() * q.cout() * l];
        for (int n = 0; n < q.n(); n++) {
            for (int co = 0; co < q.cout(); co++) {
                double bias = b == null ? 0 : b[co];
                int src = co * nl + n * l;
                int dst = (n * q.cout() + co) * l;
                for (int i = 0; i < l; i++) {
                    out[dst + i] = tmp[src + i] + bias;
                }
            }
        }
        return out;
    }

    /** {gx, gw, gb}, each null unless asked for. */
    private static double[][] backwardDoubles(double[] g, double[] x, double[] w, Geometry q, boolean needX, boolean needW,
                                          boolean needB) {
        int l = q.l();
        int nl = q.n() * l;
        int k = q.k();
        int coutg = q.cout() / q.groups();
        // the output gradient as [Cout, N*L], the layout of the forward's product
        double[] gt = new double[q.cout() * nl];
        for (int n = 0; n < q.n(); n++) {
            for (int co = 0; co < q.cout(); co++) {
                System.arraycopy(g, (n * q.cout() + co) * l, gt, co * nl + n * l, l);
            }
        }
        double[][] out = new double[3][];
        if (needB) {
            double[] gb = new double[q.cout()];
            for (int co = 0; co < q.cout(); co++) {
                double acc = 0;
                for (int i = co * nl, e = i + nl; i < e; i++) {
                    acc += gt[i];
                }
                gb[co] = (double) acc;
            }
            out[2] = gb;
        }
        if (needW) {
            double[] col = new double[q.groups() * k * nl];
            im2col(x, q, col);
            double[] gw = new double[q.cout() * k];
            for (int gr = 0; gr < q.groups(); gr++) {
                Blas.gemm(false, true, coutg, k, nl, gt, gr * coutg * nl, nl, col, gr * k * nl, nl, gw, gr * coutg * k, k);
            }
            out[1] = gw;
        }
        if (needX) {
            double[] gcol = new double[q.groups() * k * nl];
            for (int gr = 0; gr < q.groups(); gr++) {
                Blas.gemm(true, false, k, nl, coutg, w, gr * coutg * k, k, gt, gr * coutg * nl, nl, gcol, gr * k * nl, nl);
            }
            double[] gx = new double[x.length];
            col2im(gcol, q, gx);
            out[0] = gx;
        }
        return out;
    }
}

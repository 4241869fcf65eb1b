package dev.nn4j.core.kernel;

import java.nio.FloatBuffer;

/**
 * The float32 convolution on the CPU backend, one image at a time: the image's columns (im2col) are built in a
 * reused heap array (a loop the JIT vectorizes), copied once into a direct buffer, and BLAS multiplies them with
 * the weight read in place from the parameter's own buffer, writing the image's {@code [Cout, L]} block straight
 * into the {@code [N, Cout, L]} output layout: no transposes, and the columns of one image stay in cache between
 * the loop that builds them and the gemm that reads them. PyTorch's slow_conv2d works the same way; its oneDNN
 * path convolves directly.
 */
final class PerImage {
    private static final int COL = 0;
    private static final int OUT = 1;
    private static final int GRAD_OUT = 2;
    private static final int GRAD_W = 3;
    private static final int GRAD_COL = 4;

    private PerImage() {
    }

    static float[] forward(float[] x, Storage w, float[] b, Convolutions.Geometry q) {
        int l = q.l();
        int kAll = q.c() * q.kh() * q.kw();
        int coutg = q.cout() / q.groups();
        int k = q.k();
        int plane = q.c() * q.h() * q.w();
        Scratch sc = Scratch.get();
        FloatBuffer wb = sc.stage(5, w);
        float[] colHeap = sc.heap(kAll * l);
        FloatBuffer col = sc.slot(COL, kAll * l);
        FloatBuffer out = sc.slot(OUT, q.cout() * l);
        float[] y = new float[q.n() * q.cout() * l];
        for (int n = 0; n < q.n(); n++) {
            columns(x, n * plane, q, colHeap, col);
            for (int g = 0; g < q.groups(); g++) {
                Blas.sgemm(false, false, coutg, l, k, wb.slice(g * coutg * k, coutg * k), k,
                        col.slice(g * k * l, k * l), l, 0f, out.slice(g * coutg * l, coutg * l), l);
            }
            int base = n * q.cout() * l;
            out.get(0, y, base, q.cout() * l);
            if (b != null) {
                for (int co = 0; co < q.cout(); co++) {
                    float bias = b[co];
                    for (int i = base + co * l, e = i + l; i < e; i++) {
                        y[i] += bias;
                    }
                }
            }
        }
        return y;
    }

    /** {gx, gw, gb}, each null unless asked for. */
    static float[][] backward(float[] g, float[] x, Storage w, Convolutions.Geometry q, boolean needX, boolean needW,
                              boolean needB) {
        int l = q.l();
        int kAll = q.c() * q.kh() * q.kw();
        int coutg = q.cout() / q.groups();
        int k = q.k();
        int plane = q.c() * q.h() * q.w();
        Scratch sc = Scratch.get();
        FloatBuffer wb = needX ? sc.stage(5, w) : null;
        float[] colHeap = sc.heap(kAll * l);
        FloatBuffer col = needW ? sc.slot(COL, kAll * l) : null;
        FloatBuffer gOut = sc.slot(GRAD_OUT, q.cout() * l);
        FloatBuffer gw = needW ? sc.slot(GRAD_W, q.cout() * k) : null;
        FloatBuffer gcol = needX ? sc.slot(GRAD_COL, kAll * l) : null;
        float[] gx = needX ? new float[x.length] : null;
        float[][] result = new float[3][];
        FloatBuffer flipped = null;
        if (needB) {
            float[] gb = new float[q.cout()];
            for (int co = 0; co < q.cout(); co++) {
                double acc = 0;
                for (int n = 0; n < q.n(); n++) {
                    for (int i = (n * q.cout() + co) * l, e = i + l; i < e; i++) {
                        acc += g[i];
                    }
                }
                gb[co] = (float) acc;
            }
            result[2] = gb;
        }
        for (int n = 0; n < q.n() && (needW || needX); n++) {
            gOut.put(0, g, n * q.cout() * l, q.cout() * l);
            if (needW) {
                columns(x, n * plane, q, colHeap, col);
                for (int gr = 0; gr < q.groups(); gr++) {
                    Blas.sgemm(false, true, coutg, k, l, gOut.slice(gr * coutg * l, coutg * l), l,
                            col.slice(gr * k * l, k * l), l, n == 0 ? 0f : 1f, gw.slice(gr * coutg * k, coutg * k), k);
                }
            }
            if (needX && transposable(q)) {
                // the input gradient as a convolution of the output gradient with the flipped, transposed filters:
                // one more im2col and a gemm straight into [Cin, H W], instead of a gemm and a col2im
                if (flipped == null) {
                    flipped = sc.slot(OUT, q.c() * q.cout() * q.kh() * q.kw());
                    flipped.put(0, flippedFilters(w, q), 0, q.c() * q.cout() * q.kh() * q.kw());
                }
                Convolutions.Geometry t = transposed(q);
                FloatBuffer colG = sc.slot(GRAD_COL, t.c() * t.kh() * t.kw() * plane / q.c());
                columns(g, n * q.cout() * l, t, colHeap, colG);
                FloatBuffer gxn = sc.slot(COL, plane);
                Blas.sgemm(false, false, q.c(), plane / q.c(), t.c() * t.kh() * t.kw(), flipped,
                        t.c() * t.kh() * t.kw(), colG, plane / q.c(), 0f, gxn, plane / q.c());
                gxn.get(0, gx, n * plane, plane);
            } else if (needX) {
                for (int gr = 0; gr < q.groups(); gr++) {
                    Blas.sgemm(true, false, k, l, coutg, wb.slice(gr * coutg * k, coutg * k), k,
                            gOut.slice(gr * coutg * l, coutg * l), l, 0f, gcol.slice(gr * k * l, k * l), l);
                }
                if (rowsContiguous(q)) {
                    col2imRows(gcol, q, gx, n * plane, colHeap);
                } else {
                    gcol.get(0, colHeap, 0, kAll * l);
                    col2im(colHeap, q, gx, n * plane);
                }
            }
        }
        if (needW) {
            float[] w2 = new float[q.cout() * k];
            if (q.n() > 0) {
                gw.get(0, w2, 0, w2.length);
            }
            result[1] = w2;
        }
        result[0] = gx;
        return result;
    }

    /**
     * True when the input gradient can be computed as a convolution ({@link #transposed}): one group, unit
     * strides, an output as wide and high as the input.
     */
    private static boolean transposable(Convolutions.Geometry q) {
        int pt = q.dh() * (q.kh() - 1) - q.ph();
        return q.groups() == 1 && rowsContiguous(q) && q.oh() == q.h() && pt >= 0
                && q.dw() * (q.kw() - 1) - q.pw() >= 0;
    }

    /**
     * The convolution whose output is the input gradient: over the output gradient ({@code Cout} channels,
     * {@code oh x ow}), {@code Cin} filters of the same size, padding {@code dilation (k - 1) - padding}.
     */
    private static Convolutions.Geometry transposed(Convolutions.Geometry q) {
        return new Convolutions.Geometry(1, q.cout(), q.oh(), q.ow(), q.c(), q.kh(), q.kw(), 1, 1,
                q.dh() * (q.kh() - 1) - q.ph(), q.dw() * (q.kw() - 1) - q.pw(), q.dh(), q.dw(), 1);
    }

    /** {@code W'[ci][co][i][j] = W[co][ci][kh - 1 - i][kw - 1 - j]}: the filters of {@link #transposed}. */
    private static float[] flippedFilters(Storage w, Convolutions.Geometry q) {
        float[] wv = w.floats();
        int kh = q.kh();
        int kw = q.kw();
        float[] out = new float[wv.length];
        for (int co = 0; co < q.cout(); co++) {
            for (int ci = 0; ci < q.c(); ci++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        out[((ci * q.cout() + co) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)] =
                                wv[((co * q.c() + ci) * kh + i) * kw + j];
                    }
                }
            }
        }
        return out;
    }

    /**
     * True when, for every kernel position, the valid part of a column row is one contiguous run of the input: unit
     * strides and an output as wide as the input ("same" padding), the common 3x3 / padding 1 case. Then each of
     * the {@code C kh kw} rows is one bulk copy instead of {@code oh} short ones.
     */
    private static boolean rowsContiguous(Convolutions.Geometry q) {
        return q.sh() == 1 && q.sw() == 1 && q.ow() == q.w();
    }

    /** One image's columns into {@code col} (direct), through {@code heap} unless the rows are contiguous. */
    private static void columns(float[] x, int xOff, Convolutions.Geometry q, float[] heap, FloatBuffer col) {
        if (rowsContiguous(q)) {
            im2colRows(x, xOff, q, col, heap);
        } else {
            im2col(x, xOff, q, heap);
            col.put(0, heap, 0, q.c() * q.kh() * q.kw() * q.l());
        }
    }

    /** The output rows {@code [lo, hi)} whose input row {@code oy - ph + i dh} lies inside the image (unit stride). */
    private static int firstRow(Convolutions.Geometry q, int i) {
        return Math.max(0, q.ph() - i * q.dh());
    }

    private static int endRow(Convolutions.Geometry q, int i) {
        return Math.min(q.oh(), Math.max(firstRow(q, i), q.h() + q.ph() - i * q.dh()));
    }

    /**
     * {@link #im2col} for {@link #rowsContiguous} geometry: each column row assembled in {@code row} (one bulk
     * copy of the input, the padding zeroed by plain stores) and put into the direct buffer in one bulk copy.
     */
    private static void im2colRows(float[] x, int xOff, Convolutions.Geometry q, FloatBuffer col, float[] row) {
        int oh = q.oh();
        int ow = q.ow();
        int l = oh * ow;
        int w = q.w();
        for (int ch = 0; ch < q.c(); ch++) {
            int xBase = xOff + ch * q.h() * w;
            for (int i = 0; i < q.kh(); i++) {
                int y0 = firstRow(q, i);
                int y1 = endRow(q, i);
                for (int j = 0; j < q.kw(); j++) {
                    int dx = j * q.dw() - q.pw();
                    int lo = Math.min(ow, Math.max(0, -dx));
                    int hi = Math.min(ow, Math.max(lo, w - dx));
                    for (int k = 0, e = y0 * ow; k < e; k++) {
                        row[k] = 0f;
                    }
                    if (y1 > y0 && hi > lo) {
                        // one run from the first valid element to the last; the columns in between that fall in
                        // the padding picked up the neighbouring input row and are zeroed below
                        int src = xBase + (y0 - q.ph() + i * q.dh()) * w + dx + lo;
                        System.arraycopy(x, src, row, y0 * ow + lo, (y1 - y0 - 1) * ow + (hi - lo));
                    }
                    for (int oy = y0; oy < y1; oy++) {
                        int c0 = oy * ow;
                        for (int ox = 0; ox < lo; ox++) {
                            row[c0 + ox] = 0f;
                        }
                        for (int ox = hi; ox < ow; ox++) {
                            row[c0 + ox] = 0f;
                        }
                    }
                    for (int k = y1 * ow; k < l; k++) {
                        row[k] = 0f;
                    }
                    col.put(((ch * q.kh() + i) * q.kw() + j) * l, row, 0, l);
                }
            }
        }
    }

    /** {@link #col2im} for {@link #rowsContiguous} geometry, reading the direct buffer one row at a time. */
    private static void col2imRows(FloatBuffer col, Convolutions.Geometry q, float[] gx, int gxOff, float[] row) {
        int oh = q.oh();
        int ow = q.ow();
        int l = oh * ow;
        int w = q.w();
        for (int ch = 0; ch < q.c(); ch++) {
            int xBase = gxOff + ch * q.h() * w;
            for (int i = 0; i < q.kh(); i++) {
                int y0 = firstRow(q, i);
                int y1 = endRow(q, i);
                for (int j = 0; j < q.kw(); j++) {
                    int dx = j * q.dw() - q.pw();
                    int lo = Math.min(ow, Math.max(0, -dx));
                    int hi = Math.min(ow, Math.max(lo, w - dx));
                    if (y1 <= y0 || hi <= lo) {
                        continue;
                    }
                    int rowBase = ((ch * q.kh() + i) * q.kw() + j) * l;
                    int len = (y1 - y0 - 1) * ow + (hi - lo);
                    col.get(rowBase + y0 * ow + lo, row, 0, len);
                    // the padding columns inside the run belong to no input element: drop them before the sum
                    for (int oy = y0; oy < y1 - 1; oy++) {
                        for (int ox = hi; ox < ow + lo; ox++) {
                            row[(oy - y0) * ow + ox - lo] = 0f;
                        }
                    }
                    int dst = xBase + (y0 - q.ph() + i * q.dh()) * w + dx + lo;
                    for (int k = 0; k < len; k++) {
                        gx[dst + k] += row[k];
                    }
                }
            }
        }
    }

    /** One image's columns: row {@code (ch kh + i) kw + j}, column {@code oy ow + ox}. */
    private static void im2col(float[] x, int xOff, Convolutions.Geometry q, float[] col) {
        int oh = q.oh();
        int ow = q.ow();
        int l = oh * ow;
        int h = q.h();
        int w = q.w();
        int sw = q.sw();
        for (int ch = 0; ch < q.c(); ch++) {
            int xBase = xOff + ch * h * w;
            for (int i = 0; i < q.kh(); i++) {
                for (int j = 0; j < q.kw(); j++) {
                    int rowBase = ((ch * q.kh() + i) * q.kw() + j) * l;
                    int dx = j * q.dw() - q.pw();
                    // the output columns whose input column is inside the image: [lo, hi)
                    int lo = Math.min(ow, Math.max(0, (-dx + sw - 1) / sw));
                    int hi = Math.min(ow, Math.max(lo, (w - dx + sw - 1) / sw));
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * q.sh() - q.ph() + i * q.dh();
                        int c0 = rowBase + oy * ow;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(col, c0, c0 + ow, 0f);
                            continue;
                        }
                        int rowX = xBase + iy * w + dx;
                        // the padding columns are few (one or two): plain stores, not a fill call each
                        for (int ox = 0; ox < lo; ox++) {
                            col[c0 + ox] = 0f;
                        }
                        if (sw == 1 && hi > lo) {
                            System.arraycopy(x, rowX + lo, col, c0 + lo, hi - lo);
                        } else if (sw != 1) {
                            for (int ox = lo; ox < hi; ox++) {
                                col[c0 + ox] = x[rowX + ox * sw];
                            }
                        }
                        for (int ox = hi; ox < ow; ox++) {
                            col[c0 + ox] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** One image's column gradients added back into its input gradient at {@code gxOff}. */
    private static void col2im(float[] col, Convolutions.Geometry q, float[] gx, int gxOff) {
        int oh = q.oh();
        int ow = q.ow();
        int l = oh * ow;
        int h = q.h();
        int w = q.w();
        int sw = q.sw();
        for (int ch = 0; ch < q.c(); ch++) {
            int xBase = gxOff + ch * h * w;
            for (int i = 0; i < q.kh(); i++) {
                for (int j = 0; j < q.kw(); j++) {
                    int rowBase = ((ch * q.kh() + i) * q.kw() + j) * l;
                    int dx = j * q.dw() - q.pw();
                    int lo = Math.min(ow, Math.max(0, (-dx + sw - 1) / sw));
                    int hi = Math.min(ow, Math.max(lo, (w - dx + sw - 1) / sw));
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * q.sh() - q.ph() + i * q.dh();
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int rowX = xBase + iy * w + dx;
                        int c0 = rowBase + oy * ow;
                        if (sw == 1) {
                            // unit stride: the JIT vectorizes this form
                            for (int ox = lo; ox < hi; ox++) {
                                gx[rowX + ox] += col[c0 + ox];
                            }
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                gx[rowX + ox * sw] += col[c0 + ox];
                            }
                        }
                    }
                }
            }
        }
    }
}

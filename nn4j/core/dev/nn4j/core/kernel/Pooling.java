package dev.nn4j.core.kernel;

/**
 * 2-D pooling over NCHW data as fused loops, computed in double and rounded once to the input's type. Internal.
 * Windows follow PyTorch's arithmetic exactly (floor mode): padding never wins a max, and an average with
 * {@code count_include_pad} divides by the window clipped to the padded input.
 */
public final class Pooling {
    private Pooling() {
    }

    /** Output size of a pooling window over {@code size} (floor mode). */
    public static int outSize(int size, int kernel, int stride, int padding) {
        return outSize(size, kernel, stride, padding, false);
    }

    /**
     * Output size of a pooling window over {@code size}; {@code ceil} rounds up, so that a last partial window
     * counts, as long as it starts inside the input or its left padding. PyTorch: {@code pooling_output_shape}.
     */
    public static int outSize(int size, int kernel, int stride, int padding, boolean ceil) {
        int out = Math.floorDiv(size + 2 * padding - kernel + (ceil ? stride - 1 : 0), stride) + 1;
        if (ceil && (out - 1) * stride >= size + padding) {
            out--;
        }
        return out;
    }

    /**
     * Max pooling: {@code [n, c, oh, ow]} and each output's flat position within its input plane (the first
     * maximum in scan order, as PyTorch; a NaN wins), as float64 values for the backward.
     */
    public static Storage[] maxPool(Storage x, int kernel, int stride, int padding, boolean ceil) {
        long[] s = x.shape();
        int planes = (int) (s[0] * s[1]);
        int h = (int) s[2];
        int w = (int) s[3];
        int oh = outSize(h, kernel, stride, padding, ceil);
        int ow = outSize(w, kernel, stride, padding, ceil);
        double[] in = x.doubles();
        double[] out = new double[planes * oh * ow];
        double[] argmax = new double[out.length];
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                int y0 = Math.max(oy * stride - padding, 0);
                int y1 = Math.min(oy * stride - padding + kernel, h);
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = Math.max(ox * stride - padding, 0);
                    int x1 = Math.min(ox * stride - padding + kernel, w);
                    double best = Double.NEGATIVE_INFINITY;
                    int at = y0 * w + x0;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            double v = in[base + iy * w + ix];
                            if (v > best || Double.isNaN(v)) {
                                best = v;
                                at = iy * w + ix;
                                if (Double.isNaN(v)) {
                                    iy = y1;
                                    break;
                                }
                            }
                        }
                    }
                    int o = (p * oh + oy) * ow + ox;
                    out[o] = best;
                    argmax[o] = at;
                }
            }
        }
        long[] outShape = {s[0], s[1], oh, ow};
        return new Storage[] {Storage.owning(out, outShape, x.type()), Storage.ofDoubles(argmax, outShape)};
    }

    /** Max pooling's backward: each output gradient added at its maximum's position. */
    public static Storage maxPoolBackward(Storage g, Storage positions, long[] inputShape) {
        double[] argmax = positions.doubles();
        long[] gs = g.shape();
        int planes = (int) (gs[0] * gs[1]);
        int outPlane = (int) (gs[2] * gs[3]);
        int inPlane = (int) (inputShape[2] * inputShape[3]);
        double[] gv = g.doubles();
        double[] gx = new double[planes * inPlane];
        for (int p = 0; p < planes; p++) {
            for (int o = 0; o < outPlane; o++) {
                gx[p * inPlane + (int) argmax[p * outPlane + o]] += gv[p * outPlane + o];
            }
        }
        return Storage.owning(gx, inputShape, g.type());
    }

    /**
     * True for float32 windows that tile the input without padding or overlap ({@code kernel == stride}, no
     * padding): LeNet's and most networks' pooling, which then runs as a float loop without window bookkeeping.
     */
    private static boolean tiles(Storage x, int kernel, int stride, int padding, long[] inputShape, boolean ceil) {
        return x.type() == org.nd4j.linalg.api.buffer.DataType.FLOAT && kernel == stride && padding == 0
                && (!ceil || inputShape[2] % kernel == 0 && inputShape[3] % kernel == 0);
    }

    /** Average pooling ({@code countIncludePad}: PyTorch's default divisor, the window clipped to the padded input). */
    public static Storage avgPool(Storage x, int kernel, int stride, int padding, boolean ceil,
                                  boolean countIncludePad) {
        if (tiles(x, kernel, stride, padding, x.shape(), ceil)) {
            return avgPoolTiles(x, kernel);
        }
        long[] s = x.shape();
        int planes = (int) (s[0] * s[1]);
        int h = (int) s[2];
        int w = (int) s[3];
        int oh = outSize(h, kernel, stride, padding, ceil);
        int ow = outSize(w, kernel, stride, padding, ceil);
        double[] in = x.doubles();
        double[] out = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int[] win = window(oy, ox, h, w, kernel, stride, padding, countIncludePad);
                    double acc = 0;
                    for (int iy = win[0]; iy < win[1]; iy++) {
                        for (int ix = win[2]; ix < win[3]; ix++) {
                            acc += in[base + iy * w + ix];
                        }
                    }
                    out[(p * oh + oy) * ow + ox] = acc / win[4];
                }
            }
        }
        return Storage.owning(out, new long[] {s[0], s[1], oh, ow}, x.type());
    }

    /** Average pooling's backward: each output gradient spread evenly over its window. */
    public static Storage avgPoolBackward(Storage g, long[] inputShape, int kernel, int stride, int padding,
                                          boolean ceil, boolean countIncludePad) {
        if (tiles(g, kernel, stride, padding, inputShape, ceil)) {
            return avgPoolTilesBackward(g, inputShape, kernel);
        }
        long[] gs = g.shape();
        int planes = (int) (gs[0] * gs[1]);
        int oh = (int) gs[2];
        int ow = (int) gs[3];
        int h = (int) inputShape[2];
        int w = (int) inputShape[3];
        double[] gv = g.doubles();
        double[] gx = new double[planes * h * w];
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int[] win = window(oy, ox, h, w, kernel, stride, padding, countIncludePad);
                    double share = gv[(p * oh + oy) * ow + ox] / win[4];
                    for (int iy = win[0]; iy < win[1]; iy++) {
                        for (int ix = win[2]; ix < win[3]; ix++) {
                            gx[base + iy * w + ix] += share;
                        }
                    }
                }
            }
        }
        return Storage.owning(gx, inputShape, g.type());
    }

    /** {@link #avgPool} for {@link #tiles}: each output the mean of its own {@code k x k} block. */
    private static Storage avgPoolTiles(Storage x, int k) {
        long[] s = x.shape();
        int planes = (int) (s[0] * s[1]);
        int h = (int) s[2];
        int w = (int) s[3];
        int oh = outSize(h, k, k, 0);
        int ow = outSize(w, k, k, 0);
        float[] in = x.floats();
        float[] out = new float[planes * oh * ow];
        if (k == 2) {
            avgPool2x2(in, planes, h, w, oh, ow, out);
            return Storage.ofFloats(out, new long[] {s[0], s[1], oh, ow});
        }
        double area = k * k;
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double acc = 0;
                    for (int iy = oy * k, y1 = iy + k; iy < y1; iy++) {
                        for (int ix = base + iy * w + ox * k, e = ix + k; ix < e; ix++) {
                            acc += in[ix];
                        }
                    }
                    out[(p * oh + oy) * ow + ox] = (float) (acc / area);
                }
            }
        }
        return Storage.ofFloats(out, new long[] {s[0], s[1], oh, ow});
    }

    /** The common 2 x 2 window of {@link #avgPoolTiles} written out: a loop of two per row costs more than its work. */
    private static void avgPool2x2(float[] in, int planes, int h, int w, int oh, int ow, float[] out) {
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                int r0 = p * h * w + 2 * oy * w;
                int o = (p * oh + oy) * ow;
                for (int ox = 0; ox < ow; ox++) {
                    int i = r0 + 2 * ox;
                    out[o + ox] = (float) (((double) in[i] + in[i + 1] + in[i + w] + in[i + w + 1]) / 4);
                }
            }
        }
    }

    /** {@link #avgPool2x2}'s backward: each output gradient, times {@code inv}, into its four inputs. */
    private static void avgPool2x2Backward(float[] gv, int planes, int h, int w, int oh, int ow, float inv,
                                           float[] gx) {
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                int r0 = p * h * w + 2 * oy * w;
                int o = (p * oh + oy) * ow;
                for (int ox = 0; ox < ow; ox++) {
                    float share = gv[o + ox] * inv;
                    int i = r0 + 2 * ox;
                    gx[i] = share;
                    gx[i + 1] = share;
                    gx[i + w] = share;
                    gx[i + w + 1] = share;
                }
            }
        }
    }

    /** {@link #avgPoolBackward} for {@link #tiles}. */
    private static Storage avgPoolTilesBackward(Storage g, long[] inputShape, int k) {
        long[] gs = g.shape();
        int planes = (int) (gs[0] * gs[1]);
        int oh = (int) gs[2];
        int ow = (int) gs[3];
        int h = (int) inputShape[2];
        int w = (int) inputShape[3];
        float[] gv = g.floats();
        float[] gx = new float[planes * h * w];
        float inv = (float) (1.0 / (k * k));
        if (k == 2) {
            avgPool2x2Backward(gv, planes, h, w, oh, ow, inv, gx);
            return Storage.ofFloats(gx, inputShape);
        }
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float share = gv[(p * oh + oy) * ow + ox] * inv;
                    for (int iy = oy * k, y1 = iy + k; iy < y1; iy++) {
                        for (int ix = base + iy * w + ox * k, e = ix + k; ix < e; ix++) {
                            gx[ix] = share;
                        }
                    }
                }
            }
        }
        return Storage.ofFloats(gx, inputShape);
    }

    /** {y0, y1, x0, x1, divisor} of an average window, PyTorch's arithmetic. */
    private static int[] window(int oy, int ox, int h, int w, int kernel, int stride, int padding,
                                boolean countIncludePad) {
        int y0 = oy * stride - padding;
        int x0 = ox * stride - padding;
        int y1 = Math.min(y0 + kernel, h + padding);
        int x1 = Math.min(x0 + kernel, w + padding);
        int poolSize = (y1 - y0) * (x1 - x0);
        y0 = Math.max(y0, 0);
        x0 = Math.max(x0, 0);
        y1 = Math.min(y1, h);
        x1 = Math.min(x1, w);
        return new int[] {y0, y1, x0, x1, countIncludePad ? poolSize : (y1 - y0) * (x1 - x0)};
    }

    /** Adaptive average pooling to {@code oh x ow}: window {@code [floor(o*H/oh), ceil((o+1)*H/oh))}. */
    public static Storage adaptiveAvgPool(Storage x, int oh, int ow) {
        long[] s = x.shape();
        int planes = (int) (s[0] * s[1]);
        int h = (int) s[2];
        int w = (int) s[3];
        double[] in = x.doubles();
        double[] out = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                int y0 = oy * h / oh;
                int y1 = ((oy + 1) * h + oh - 1) / oh;
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = ox * w / ow;
                    int x1 = ((ox + 1) * w + ow - 1) / ow;
                    double acc = 0;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            acc += in[base + iy * w + ix];
                        }
                    }
                    out[(p * oh + oy) * ow + ox] = acc / ((y1 - y0) * (x1 - x0));
                }
            }
        }
        return Storage.owning(out, new long[] {s[0], s[1], oh, ow}, x.type());
    }

    /** Adaptive average pooling's backward. */
    public static Storage adaptiveAvgPoolBackward(Storage g, long[] inputShape) {
        long[] gs = g.shape();
        int planes = (int) (gs[0] * gs[1]);
        int oh = (int) gs[2];
        int ow = (int) gs[3];
        int h = (int) inputShape[2];
        int w = (int) inputShape[3];
        double[] gv = g.doubles();
        double[] gx = new double[planes * h * w];
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                int y0 = oy * h / oh;
                int y1 = ((oy + 1) * h + oh - 1) / oh;
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = ox * w / ow;
                    int x1 = ((ox + 1) * w + ow - 1) / ow;
                    double share = gv[(p * oh + oy) * ow + ox] / ((y1 - y0) * (x1 - x0));
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            gx[base + iy * w + ix] += share;
                        }
                    }
                }
            }
        }
        return Storage.owning(gx, inputShape, g.type());
    }
}

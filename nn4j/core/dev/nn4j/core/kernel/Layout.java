package dev.nn4j.core.kernel;

import java.util.Arrays;

import dev.nn4j.device.Device;
import dev.nn4j.device.Devices;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Kernels that move elements without arithmetic: transposes and permutations, concatenation and slicing,
 * indexing, device copies. Internal. Every result is a new dense row-major storage (nn4j never aliases an op's
 * result with its input).
 */
public final class Layout {
    private Layout() {
    }

    /** {@code s} with dimensions {@code a} and {@code b} swapped. */
    public static Storage transpose(Storage s, int a, int b) {
        int rank = s.shape().length;
        if (a == b || rank < 2) {
            return s.copy();
        }
        if (rank == 2 && s.isFloating()) {
            return transpose2d(s);
        }
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        perm[a] = b;
        perm[b] = a;
        return permute(s, perm);
    }

    /** {@code s} with its dimensions reordered: dimension {@code i} of the result is {@code perm[i]} of {@code s}. */
    public static Storage permute(Storage s, int[] perm) {
        if (!s.isFloating()) {
            return Storage.of(s.nd().permute(perm).dup('c'));
        }
        long[] in = s.shape();
        int rank = in.length;
        if (rank > 1 && perm[rank - 1] == rank - 1) {
            return permuteRuns(s, perm);
        }
        long[] out = new long[rank];
        int[] stride = new int[rank]; // the input stride of each output dimension
        int[] inStride = new int[rank];
        for (int k = rank - 1, st = 1; k >= 0; k--) {
            inStride[k] = st;
            st *= (int) in[k];
        }
        for (int k = 0; k < rank; k++) {
            out[k] = in[perm[k]];
            stride[k] = inStride[perm[k]];
        }
        int n = s.size();
        int[] src = new int[n];
        int[] counter = new int[rank];
        int pos = 0;
        for (int i = 0; i < n; i++) {
            src[i] = pos;
            for (int k = rank - 1; k >= 0; k--) {
                pos += stride[k];
                if (++counter[k] < out[k]) {
                    break;
                }
                pos -= stride[k] * (int) out[k];
                counter[k] = 0;
            }
        }
        if (s.type() == DataType.FLOAT) {
            float[] x = s.floats();
            float[] y = new float[n];
            for (int i = 0; i < n; i++) {
                y[i] = x[src[i]];
            }
            return Storage.ofFloats(y, out);
        }
        double[] x = s.doubles();
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = x[src[i]];
        }
        return Storage.ofDoubles(y, out);
    }

    /**
     * {@link #permute} when the last dimension stays last (attention's head transposes): whole rows move, one array
     * copy each.
     */
    private static Storage permuteRuns(Storage s, int[] perm) {
        long[] in = s.shape();
        int rank = in.length;
        int run = (int) in[rank - 1];
        long[] out = new long[rank];
        int[] inStride = new int[rank];
        for (int k = rank - 1, st = 1; k >= 0; k--) {
            inStride[k] = st;
            st *= (int) in[k];
        }
        int[] stride = new int[rank];
        for (int k = 0; k < rank; k++) {
            out[k] = in[perm[k]];
            stride[k] = inStride[perm[k]];
        }
        int n = s.size();
        Object src = s.type() == DataType.FLOAT ? s.floats() : s.doubles();
        Object dst = s.type() == DataType.FLOAT ? new float[n] : new double[n];
        int runs = run == 0 ? 0 : n / run;
        int[] counter = new int[rank - 1];
        int pos = 0;
        for (int i = 0; i < runs; i++) {
            System.arraycopy(src, pos, dst, i * run, run);
            for (int k = rank - 2; k >= 0; k--) {
                pos += stride[k];
                if (++counter[k] < out[k]) {
                    break;
                }
                pos -= stride[k] * (int) out[k];
                counter[k] = 0;
            }
        }
        return s.type() == DataType.FLOAT ? Storage.ofFloats((float[]) dst, out) : Storage.ofDoubles((double[]) dst, out);
    }

    /** The inverse of permutation {@code perm}. */
    public static int[] inverse(int[] perm) {
        int[] inv = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inv[perm[i]] = i;
        }
        return inv;
    }

    static Storage transpose2d(Storage s) {
        int r = (int) s.shape()[0];
        int c = (int) s.shape()[1];
        long[] shape = {c, r};
        if (s.type() == DataType.FLOAT) {
            float[] x = s.floats();
            float[] out = new float[x.length];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) {
                    out[j * r + i] = x[i * c + j];
                }
            }
            return Storage.ofFloats(out, shape);
        }
        double[] x = s.doubles();
        double[] out = new double[x.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                out[j * r + i] = x[i * c + j];
            }
        }
        return Storage.ofDoubles(out, shape);
    }

    /** The storages concatenated along {@code dim}, each converted to {@code type}. */
    public static Storage cat(int dim, Storage[] parts, DataType type) {
        if (type == DataType.FLOAT || type == DataType.DOUBLE) {
            return catArrays(dim, parts, type);
        }
        INDArray[] arrays = new INDArray[parts.length];
        for (int i = 0; i < parts.length; i++) {
            arrays[i] = parts[i].cast(type).nd();
        }
        return Storage.of(Nd4j.concat(dim, arrays));
    }

    /** Positions {@code [start, start + length)} of dimension {@code dim}, as a copy. */
    public static Storage slice(Storage s, int dim, long start, long length) {
        if (s.isFloating()) {
            INDArrayIndex[] idx = new INDArrayIndex[s.shape().length];
            for (int k = 0; k < idx.length; k++) {
                idx[k] = k == dim ? NDArrayIndex.interval(start, start + length) : NDArrayIndex.all();
            }
            return index(s, idx);
        }
        INDArray g = s.nd();
        INDArrayIndex[] idx = new INDArrayIndex[g.rank()];
        for (int k = 0; k < idx.length; k++) {
            idx[k] = k == dim ? NDArrayIndex.interval(start, start + length) : NDArrayIndex.all();
        }
        return Storage.of(g.get(idx).dup('c'));
    }

    /** The region {@code indices} (point, interval or all; one per dimension) selects, as a copy. */
    public static Storage index(Storage s, INDArrayIndex[] indices) {
        Box box = s.isFloating() ? Box.of(s.shape(), indices) : null;
        if (box != null) {
            Object src = s.type() == DataType.FLOAT ? s.floats() : s.doubles();
            Object out = s.type() == DataType.FLOAT ? new float[box.size()] : new double[box.size()];
            box.copy(src, out, false);
            return s.type() == DataType.FLOAT ? Storage.ofFloats((float[]) out, box.outShape())
                    : Storage.ofDoubles((double[]) out, box.outShape());
        }
        INDArray a = s.nd();
        return Storage.of(indices.length == 0 ? a.dup() : a.get(indices).dup('c'));
    }

    /** Indexing's backward: zeros of {@code inputShape} with {@code g} added into the region {@code indices} selects. */
    public static Storage indexBackward(Storage gs, long[] inputShape, INDArrayIndex[] indices) {
        Box box = gs.isFloating() ? Box.of(inputShape, indices) : null;
        if (box != null) {
            int n = Math.toIntExact(dev.nn4j.core.Shapes.numel(inputShape));
            if (gs.type() == DataType.FLOAT) {
                float[] z = new float[n];
                box.copy(z, gs.floats(), true);
                return Storage.ofFloats(z, inputShape);
            }
            double[] z = new double[n];
            box.copy(z, gs.doubles(), true);
            return Storage.ofDoubles(z, inputShape);
        }
        INDArray g = gs.nd();
        INDArray z = Nd4j.zeros(g.dataType(), inputShape);
        if (inputShape.length == 0) {
            return Storage.of(z.addi(g));
        }
        INDArray region = z.get(indices);
        region.addi(g.reshape(region.shape()));
        return Storage.of(z);
    }

    /** Whether {@link #indexBackwardInto} can take a slice with these indices (a box: no strides, bounds known). */
    public static boolean isBox(long[] inputShape, INDArrayIndex[] indices) {
        return Box.of(inputShape, indices) != null;
    }

    /**
     * {@link #indexBackward} added into {@code target} (the input's shape; its contents replaced instead when
     * {@code accumulate} is false), without a buffer of the input's size per slice. Returns false, writing nothing,
     * when {@code target} is not a Java array of the gradient's type or the region is not a box.
     */
    public static boolean indexBackwardInto(Storage target, boolean accumulate, Storage gs, long[] inputShape,
                                            INDArrayIndex[] indices) {
        Object full = target.heapArray();
        if (full == null || !gs.isFloating() || target.type() != gs.type()
                || !Arrays.equals(target.shape(), inputShape)) {
            return false;
        }
        Box box = Box.of(inputShape, indices);
        if (box == null) {
            return false;
        }
        target.bumpVersion();
        if (!accumulate) {
            if (full instanceof float[] f) {
                Arrays.fill(f, 0f);
            } else {
                Arrays.fill((double[]) full, 0);
            }
        }
        box.copy(full, gs.type() == DataType.FLOAT ? gs.floats() : gs.doubles(), true);
        return true;
    }

    /**
     * The rows {@code index[i]} of the 2-D {@code table} ({@code [num, dim]}), as {@code [index..., dim]}: an
     * embedding lookup. The indices must be in range (the caller checks).
     */
    public static Storage gatherRows(Storage table, long[] index, long[] outShape) {
        int dim = (int) table.shape()[1];
        if (table.type() == DataType.FLOAT) {
            float[] t = table.floats();
            float[] out = new float[index.length * dim];
            for (int i = 0; i < index.length; i++) {
                System.arraycopy(t, (int) index[i] * dim, out, i * dim, dim);
            }
            return Storage.ofFloats(out, outShape);
        }
        double[] t = table.doubles();
        double[] out = new double[index.length * dim];
        for (int i = 0; i < index.length; i++) {
            System.arraycopy(t, (int) index[i] * dim, out, i * dim, dim);
        }
        return Storage.owning(out, outShape, table.type());
    }

    /** {@link #gatherRows}' backward: zeros of {@code tableShape} with row {@code g[i]} added at row {@code index[i]}. */
    public static Storage scatterAddRows(Storage g, long[] index, long[] tableShape) {
        int dim = (int) tableShape[1];
        int n = (int) (tableShape[0] * dim);
        if (g.type() == DataType.FLOAT) {
            float[] gv = g.floats();
            float[] out = new float[n];
            for (int i = 0; i < index.length; i++) {
                int row = (int) index[i] * dim;
                for (int j = 0; j < dim; j++) {
                    out[row + j] += gv[i * dim + j];
                }
            }
            return Storage.ofFloats(out, tableShape);
        }
        double[] gv = g.doubles();
        double[] out = new double[n];
        for (int i = 0; i < index.length; i++) {
            int row = (int) index[i] * dim;
            for (int j = 0; j < dim; j++) {
                out[row + j] += gv[i * dim + j];
            }
        }
        return Storage.owning(out, tableShape, g.type());
    }

    /** {@link #cat} of float32/float64 parts as array copies: one run per part per outer position. */
    private static Storage catArrays(int dim, Storage[] parts, DataType type) {
        long[] shape = parts[0].shape().clone();
        long total = 0;
        for (Storage p : parts) {
            total += p.shape()[dim];
        }
        shape[dim] = total;
        int outer = 1;
        for (int k = 0; k < dim; k++) {
            outer *= (int) shape[k];
        }
        int inner = 1;
        for (int k = dim + 1; k < shape.length; k++) {
            inner *= (int) shape[k];
        }
        int n = Math.toIntExact(dev.nn4j.core.Shapes.numel(shape));
        Object out = type == DataType.FLOAT ? new float[n] : new double[n];
        int row = (int) total * inner;
        int at = 0;
        for (Storage p : parts) {
            Object src = type == DataType.FLOAT ? p.cast(type).floats() : p.cast(type).doubles();
            int block = (int) p.shape()[dim] * inner;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(src, o * block, out, o * row + at, block);
            }
            at += block;
        }
        return type == DataType.FLOAT ? Storage.ofFloats((float[]) out, shape) : Storage.ofDoubles((double[]) out, shape);
    }

    /**
     * The region point, unit-stride interval and all indices select: a box, {@code [lo, lo + len)} per dimension,
     * copied out (or added back) one contiguous run of the last dimension at a time.
     */
    private record Box(long[] shape, int[] lo, int[] len, long[] outShape) {
        /** The box, or null when an index is of another kind (the caller falls back to ND4J). */
        static Box of(long[] shape, INDArrayIndex[] idx) {
            int r = shape.length;
            if (idx.length != r) {
                return null;
            }
            int[] lo = new int[r];
            int[] len = new int[r];
            java.util.List<Long> out = new java.util.ArrayList<>();
            for (int k = 0; k < r; k++) {
                INDArrayIndex i = idx[k];
                if (i instanceof org.nd4j.linalg.indexing.PointIndex) {
                    lo[k] = (int) i.offset();
                    len[k] = 1;
                } else if (i instanceof org.nd4j.linalg.indexing.NDArrayIndexAll) {
                    // before IntervalIndex, which it extends (uninitialized: length 0)
                    lo[k] = 0;
                    len[k] = (int) shape[k];
                    out.add(shape[k]);
                } else if (i instanceof org.nd4j.linalg.indexing.IntervalIndex && i.stride() == 1
                        && i.initialized()) {
                    // an uninitialized interval (a negative end: interval(1, -1)) is resolved by ND4J's own get
                    lo[k] = (int) i.offset();
                    len[k] = (int) i.length();
                    out.add((long) len[k]);
                } else {
                    return null;
                }
                if (lo[k] < 0 || len[k] < 0 || lo[k] + len[k] > shape[k]) {
                    return null;
                }
            }
            return new Box(shape, lo, len, out.stream().mapToLong(Long::longValue).toArray());
        }

        int size() {
            int n = 1;
            for (int l : len) {
                n *= l;
            }
            return n;
        }

        /** Copies the box of {@code full} into dense {@code part}, or with {@code back}, adds {@code part} into it. */
        void copy(Object full, Object part, boolean back) {
            int r = shape.length;
            if (r == 0) {
                if (back) {
                    addRun(part, 0, full, 0, 1);
                } else {
                    System.arraycopy(full, 0, part, 0, 1);
                }
                return;
            }
            int[] stride = new int[r];
            for (int k = r - 1, st = 1; k >= 0; k--) {
                stride[k] = st;
                st *= (int) shape[k];
            }
            int run = len[r - 1];
            int runs = size() / Math.max(1, run);
            if (run == 0 || runs == 0) {
                return;
            }
            int[] counter = new int[r];
            for (int i = 0; i < runs; i++) {
                int off = 0;
                for (int k = 0; k < r; k++) {
                    off += (lo[k] + counter[k]) * stride[k];
                }
                if (back) {
                    addRun(part, i * run, full, off, run);
                } else {
                    System.arraycopy(full, off, part, i * run, run);
                }
                for (int k = r - 2; k >= 0; k--) {
                    if (++counter[k] < len[k]) {
                        break;
                    }
                    counter[k] = 0;
                }
            }
        }

        private static void addRun(Object src, int from, Object dst, int to, int n) {
            if (src instanceof float[] s) {
                float[] d = (float[]) dst;
                for (int j = 0; j < n; j++) {
                    d[to + j] += s[from + j];
                }
            } else {
                double[] s = (double[]) src;
                double[] d = (double[]) dst;
                for (int j = 0; j < n; j++) {
                    d[to + j] += s[from + j];
                }
            }
        }
    }

    /** An independent copy of {@code s} on {@code target}. */
    public static Storage copyTo(Storage s, Device target) {
        return Storage.of(Devices.backend().copyTo(s.nd(), target));
    }
}

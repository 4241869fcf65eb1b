package dev.nn4j.core.kernel;

import dev.nn4j.core.Shapes;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tensor's data: either a plain Java array (float32/float64 results of ops) or an ND4J array (parameters,
 * buffers, user arrays, other dtypes). Internal: not exported by the module.
 *
 * <p>Why two forms: constructing one INDArray costs microseconds, more than the arithmetic of a small op, and
 * its off-heap memory is only reclaimed once the GC collects the Java object. Intermediates therefore live in
 * heap arrays that the JVM recycles on its own, and an INDArray is made only when someone asks for one
 * ({@link #nd()}); from then on the INDArray is the data and the heap array is dropped, so writes through either
 * handle are seen by every tensor sharing this storage.
 */
public final class Storage {
    private final DataType type;
    private final long[] shape;
    private final int size;
    private volatile INDArray nd;
    private volatile Object heap;
    private volatile java.nio.Buffer nio;
    /** Count of in-place writes, so a backward can tell that a value it saved was changed since; atomic. */
    private volatile int version;
    /**
     * Set once a tensor holds this storage: from then on users may write it, so it is never aliased by a view. A
     * plain field: it is set when a tensor is made, a fence there costs more than a small op (a volatile store is
     * ~12 ns on this VM), and a storage reaches another thread only through the user's own safe hand-over.
     */
    private boolean published;
    /**
     * Set when the heap array is shared with another storage ({@link #reshapeShared}): the first in-place write
     * copies it first, so neither holder ever sees the other's writes (nn4j's reshape has copy semantics). Read
     * and cleared under this storage's lock, as every in-place writer holds it.
     */
    private boolean copyOnWrite;
    /** Set on a kernel's brand-new result that nothing else references, so a consumer may take it over. */
    private volatile boolean fresh;

    private static final VarHandle ND;
    private static final VarHandle HEAP;
    private static final VarHandle FRESH;
    private static final VarHandle VERSION;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            ND = l.findVarHandle(Storage.class, "nd", INDArray.class);
            HEAP = l.findVarHandle(Storage.class, "heap", Object.class);
            FRESH = l.findVarHandle(Storage.class, "fresh", boolean.class);
            VERSION = l.findVarHandle(Storage.class, "version", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Storage(DataType type, long[] shape, INDArray nd, Object heap, boolean fresh) {
        this.type = type;
        this.shape = shape;
        this.size = Math.toIntExact(Shapes.numel(shape));
        if (heap != null && java.lang.reflect.Array.getLength(heap) != size) {
            // a kernel's bug, caught where the data is labelled rather than where it is next read
            throw new IllegalStateException("storage of shape " + Shapes.str(shape) + " given "
                    + java.lang.reflect.Array.getLength(heap) + " values");
        }
        // plain stores: a volatile store costs a fence (~12 ns here, more than a small op's arithmetic), and the
        // initial values need none. A new storage reaches another thread only through a safe publication (the
        // user's own hand-over of a tensor), like any object; later changes go through the volatile fields
        if (nd != null) {
            ND.set(this, nd);
        }
        if (heap != null) {
            HEAP.set(this, heap);
        }
        if (fresh) {
            FRESH.set(this, true);
        }
    }

    private Storage(DataType type, long[] shape, INDArray nd, Object heap) {
        this(type, shape, nd, heap, false);
    }

    /** Wraps (shares) an ND4J array. */
    public static Storage of(INDArray a) {
        return new Storage(a.dataType(), a.shape(), a, null);
    }

    /** Takes ownership of {@code data}, row-major in {@code shape}: for kernels, which never keep it. */
    static Storage ofFloats(float[] data, long[] shape) {
        return new Storage(DataType.FLOAT, shape, null, data);
    }

    /** Takes ownership of {@code data}, row-major in {@code shape}: for kernels, which never keep it. */
    static Storage ofDoubles(double[] data, long[] shape) {
        return new Storage(DataType.DOUBLE, shape, null, data);
    }

    /** {@link #ofFloats} for a kernel's new result that nothing else references (see {@link #claim}). */
    static Storage freshFloats(float[] data, long[] shape) {
        return new Storage(DataType.FLOAT, shape, null, data, true);
    }

    /** {@link #ofDoubles} for a kernel's new result that nothing else references (see {@link #claim}). */
    static Storage freshDoubles(double[] data, long[] shape) {
        return new Storage(DataType.DOUBLE, shape, null, data, true);
    }

    /** Zeros of {@code type}: on the heap for float32/float64, an ND4J array otherwise. */
    public static Storage zeros(DataType type, long[] shape) {
        int n = Math.toIntExact(Shapes.numel(shape));
        if (type == DataType.FLOAT) {
            return ofFloats(new float[n], shape);
        }
        if (type == DataType.DOUBLE) {
            return ofDoubles(new double[n], shape);
        }
        return of(Nd4j.zeros(type, shape));
    }

    /** A copy of {@code data}, row-major in {@code shape}. */
    public static Storage copyOf(float[] data, long[] shape) {
        return ofFloats(data.clone(), shape);
    }

    /** A copy of {@code data}, row-major in {@code shape}. */
    public static Storage copyOf(double[] data, long[] shape) {
        return ofDoubles(data.clone(), shape);
    }

    /** A copy of {@code values} (row-major) converted to {@code type}. */
    public static Storage fromDoubles(double[] values, long[] shape, DataType type) {
        return owning(values.clone(), shape, type);
    }

    /** A scalar (0-d) of {@code type} holding {@code v}. */
    public static Storage scalar(double v, DataType type) {
        return owning(new double[] {v}, new long[0], type);
    }

    /** {@code values} (taken over, row-major) converted to {@code type}. */
    static Storage owning(double[] values, long[] shape, DataType type) {
        if (type == DataType.DOUBLE) {
            return ofDoubles(values, shape);
        }
        if (type == DataType.FLOAT) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            return ofFloats(f, shape);
        }
        return of(Nd4j.create(values, shape, DataType.DOUBLE).castTo(type));
    }

    /** How many in-place writes this storage has seen. PyTorch: {@code x._version}. */
    public int version() {
        return version;
    }

    /** Records an in-place write made outside this class (e.g. an optimizer writing an ND4J buffer directly). */
    public void bumpVersion() {
        VERSION.getAndAdd(this, 1);
    }

    /**
     * The heap float32 array of a kernel's unshared result, which its one consumer may overwrite in place, or null.
     * It stays fresh: what is written into it is again nobody else's. Counts as an in-place write.
     */
    float[] ownedFloats() {
        if (fresh && heap instanceof float[] f) {
            bumpVersion(); // the consumer writes it: a copy staged for BLAS (Scratch) is stale from here
            return f;
        }
        return null;
    }

    /**
     * Forgets freshness: called when a value gets a second holder (a graph saves it, or one gradient goes to two
     * inputs), so no consumer takes it over. Engine-internal.
     */
    public void share() {
        if (fresh) {
            fresh = false;
        }
    }

    /**
     * Called when a tensor wraps this storage: users may now write it through that tensor, so it is never taken
     * over and never aliased by a view (see {@link #viewAs}). Engine-internal.
     */
    public void publish() {
        share();
        if (!published) {
            published = true;
        }
    }

    /**
     * True once if this storage was marked fresh: the caller may then keep it instead of copying (the gradient
     * engine does so for a leaf's first gradient). Later calls return false. Engine-internal.
     */
    public synchronized boolean claim() {
        boolean was = fresh;
        fresh = false;
        return was;
    }

    /** Element type. */
    public DataType type() {
        return type;
    }

    /** The shape; callers must not modify it. */
    public long[] shape() {
        return shape;
    }

    /** Number of elements. */
    public int size() {
        return size;
    }

    /**
     * The live Java array (float[] or double[]) behind this storage, or null when ND4J holds the data, for a kernel
     * that writes it in place (so a shared array is first made this storage's own).
     */
    synchronized Object heapArray() {
        ownArray(); // the caller writes it
        return heap;
    }

    /**
     * Zeros of a float32 or float64 {@code shape} in a Java array: a gradient buffer the engine owns, which ops
     * add their parts into ({@code Layout.indexBackwardInto}).
     */
    public static Storage heapZeros(DataType type, long[] shape) {
        int n = Math.toIntExact(Shapes.numel(shape));
        return type == DataType.FLOAT ? ofFloats(new float[n], shape.clone()) : ofDoubles(new double[n], shape.clone());
    }

    /** True for float32 or float64 data, which the Java kernels handle. */
    public boolean isFloating() {
        return type == DataType.FLOAT || type == DataType.DOUBLE;
    }

    /** The data as an ND4J array, creating it (once) from the heap array if needed. */
    public INDArray nd() {
        INDArray a = nd;
        if (a != null) {
            return a;
        }
        synchronized (this) {
            if (nd == null) {
                Object h = heap;
                INDArray made;
                if (shape.length == 0) {
                    made = h instanceof float[] f ? Nd4j.scalar(DataType.FLOAT, f[0])
                            : Nd4j.scalar(DataType.DOUBLE, ((double[]) h)[0]);
                } else if (size == 0) {
                    made = Nd4j.create(type, shape);
                } else {
                    made = h instanceof float[] f ? Nd4j.create(f, shape, 'c')
                            : Nd4j.create((double[]) h, shape, DataType.DOUBLE);
                }
                nd = made;
                heap = null;
            }
            return nd;
        }
    }

    /**
     * Zeros of float32 or float64 in an ND4J array, whose buffer BLAS can write directly: for gradient buffers
     * that are kept and reused across backward passes.
     */
    public static Storage direct(DataType type, long[] shape) {
        return of(Nd4j.create(type, shape));
    }

    /** True when BLAS can write this storage in place: float32/float64 in a dense row-major direct buffer. */
    public boolean isDirect() {
        INDArray a = nd;
        if (heap != null || a == null || size == 0 || !isFloating()) {
            return false;
        }
        if (nio != null) {
            return nio.isDirect(); // cached only for a dense row-major array
        }
        if (!isDenseC(a)) {
            return false;
        }
        return type == DataType.FLOAT ? floatBuffer().isDirect() : doubleBuffer().isDirect();
    }

    /** True while the data lives in a heap array. */
    boolean onHeap() {
        return heap != null;
    }

    /**
     * float32 data as a float array: the live heap array, or a fresh copy of the ND4J data. For this package's
     * kernels only, which write it only when they own it ({@link #ownedFloats}).
     */
    float[] floats() {
        Object h = heap;
        if (h instanceof float[] f) {
            return f;
        }
        if (h instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
        if (size == 0) {
            return new float[0];
        }
        FloatBuffer fb = hostFloats();
        if (fb != null) {
            float[] f = new float[size];
            fb.get(0, f, 0, size);
            return f;
        }
        DoubleBuffer db = hostDoubles();
        if (db != null) {
            float[] f = new float[size];
            for (int i = 0; i < size; i++) {
                f[i] = (float) db.get(i);
            }
            return f;
        }
        return dense(nd).castTo(DataType.FLOAT).data().asFloat();
    }

    /*
     * A parameter's or buffer's ND4J data read straight from its host buffer (a Java copy, no ND4J op: each op costs
     * tens of microseconds, which the small per-channel tensors of a convolutional network would pay many times a
     * step). Only on the CPU backend, where the host buffer is the array's only copy.
     */

    /** The ND4J data's host buffer when it is float32, dense and row-major on the CPU backend; else null. */
    private FloatBuffer hostFloats() {
        INDArray a = nd;
        return a != null && type == DataType.FLOAT && Blas.directBlas() && isDenseC(a) ? floatBuffer() : null;
    }

    /** As {@link #hostFloats} for float64. */
    private DoubleBuffer hostDoubles() {
        INDArray a = nd;
        return a != null && type == DataType.DOUBLE && Blas.directBlas() && isDenseC(a) ? doubleBuffer() : null;
    }

    /** The data as a double array: the live heap array for float64, else a converted copy. Kernels only. */
    double[] doubles() {
        Object h = heap;
        if (h instanceof double[] d) {
            return d;
        }
        if (h instanceof float[] f) {
            double[] d = new double[f.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = f[i];
            }
            return d;
        }
        if (size == 0) {
            return new double[0];
        }
        DoubleBuffer db = hostDoubles();
        if (db != null) {
            double[] d = new double[size];
            db.get(0, d, 0, size);
            return d;
        }
        FloatBuffer fb = hostFloats();
        if (fb != null) {
            double[] d = new double[size];
            for (int i = 0; i < size; i++) {
                d[i] = fb.get(i);
            }
            return d;
        }
        return dense(nd).castTo(DataType.DOUBLE).data().asDouble();
    }

    /** A read-only view of the float32 data (a converted copy for other types): writing it throws. */
    public FloatBuffer readFloats() {
        return type == DataType.FLOAT ? floatBuffer().asReadOnlyBuffer()
                : FloatBuffer.wrap(floats()).asReadOnlyBuffer();
    }

    /** A read-only view of the float64 data (a converted copy for other types): writing it throws. */
    public DoubleBuffer readDoubles() {
        return type == DataType.DOUBLE ? doubleBuffer().asReadOnlyBuffer()
                : DoubleBuffer.wrap(doubles()).asReadOnlyBuffer();
    }

    /** A copy of the data as float64, row-major. */
    public double[] toDoubleArray() {
        double[] d = doubles();
        return heap == d ? d.clone() : d;
    }

    /** The element at flat row-major position {@code i}, as a double. */
    public double getDouble(int i) {
        Object h = heap;
        if (h instanceof float[] f) {
            return f[i];
        }
        if (h instanceof double[] d) {
            return d[i];
        }
        INDArray a = nd;
        return shape.length == 0 ? a.getDouble(0) : a.getDouble(index(i));
    }

    /**
     * A buffer for BLAS: the heap array wrapped, or a direct view of the ND4J data when it is dense and
     * row-major (no copy), else a copy. Shared: callers use absolute get/put only (JavaCPP hands BLAS the
     * buffer's position as an offset). Kernels only: the buffer is live.
     */
    FloatBuffer floatBuffer() {
        Object h = heap;
        if (h instanceof float[] f) {
            return FloatBuffer.wrap(f);
        }
        if (size == 0) {
            return FloatBuffer.allocate(0); // ND4J has no buffer to view for an empty array
        }
        if (nio instanceof FloatBuffer cached) {
            return cached; // made below once the array was found dense: its shape and strides never change
        }
        INDArray a = nd;
        if (a != null && a.dataType() == DataType.FLOAT && isDenseC(a)) {
            java.nio.Buffer b = nio;
            if (b == null) {
                b = a.data().asNioFloat();
                nio = b;
            }
            return (FloatBuffer) b;
        }
        return FloatBuffer.wrap(floats());
    }

    /** As {@link #floatBuffer()} for float64. */
    DoubleBuffer doubleBuffer() {
        Object h = heap;
        if (h instanceof double[] d) {
            return DoubleBuffer.wrap(d);
        }
        if (size == 0) {
            return DoubleBuffer.allocate(0);
        }
        if (nio instanceof DoubleBuffer cached) {
            return cached;
        }
        INDArray a = nd;
        if (a != null && a.dataType() == DataType.DOUBLE && isDenseC(a)) {
            java.nio.Buffer b = nio;
            if (b == null) {
                b = a.data().asNioDouble();
                nio = b;
            }
            return (DoubleBuffer) b;
        }
        return DoubleBuffer.wrap(doubles());
    }

    /** Row-major and contiguous from offset 0: its buffer can be read as the elements in order. */
    static boolean isDenseC(INDArray a) {
        // the strides too: a permuted array shares its buffer without being a "view" and may still report 'c'
        return !a.isView() && a.ordering() == 'c' && a.offset() == 0 && a.data().length() == a.length()
                && (a.rank() < 2 || Arrays.equals(a.stride(), Nd4j.getStrides(a.shape(), 'c')));
    }

    private static INDArray dense(INDArray a) {
        return isDenseC(a) ? a : a.dup('c');
    }

    /** A copy (on the heap when floating) with the same type and shape. */
    public Storage copy() {
        Object h = heap;
        if (h instanceof float[] f) {
            return ofFloats(f.clone(), shape);
        }
        if (h instanceof double[] d) {
            return ofDoubles(d.clone(), shape);
        }
        if (type == DataType.FLOAT) {
            return ofFloats(floats(), shape);
        }
        if (type == DataType.DOUBLE) {
            return ofDoubles(doubles(), shape);
        }
        return of(nd.dup('c'));
    }

    /** This data converted to {@code target} (this storage itself when it already has that type). */
    public Storage cast(DataType target) {
        if (target == type) {
            return this;
        }
        if (target == DataType.DOUBLE && isFloating()) {
            double[] d = doubles();
            return ofDoubles(heap == d ? d.clone() : d, shape);
        }
        if (target == DataType.FLOAT && isFloating()) {
            float[] f = floats();
            return ofFloats(heap == f ? f.clone() : f, shape);
        }
        return of(nd().castTo(target));
    }

    /**
     * The data under another shape of equal size, as {@link #reshape} gives it but without copying a heap array:
     * both storages share it copy-on-write (whichever is written in place first copies it then). An ND4J array is
     * copied as by {@link #reshape}.
     */
    public synchronized Storage reshapeShared(long[] newShape) {
        Object h = heap;
        if (!(h instanceof float[]) && !(h instanceof double[])) {
            return reshape(newShape);
        }
        copyOnWrite = true;
        Storage s = new Storage(type, newShape, null, h);
        s.copyOnWrite = true;
        return s;
    }

    /** Before an in-place write (under this storage's lock): the shared heap array replaced by a copy of its own. */
    private void ownArray() {
        if (copyOnWrite) {
            Object h = heap;
            if (h instanceof float[] f) {
                heap = f.clone();
            } else if (h instanceof double[] d) {
                heap = d.clone();
            }
            copyOnWrite = false;
        }
    }

    /** A copy of the data under another shape of equal size (always a copy: never aliases, whatever the form). */
    public Storage reshape(long[] newShape) {
        Object h = heap;
        if (h instanceof float[] f) {
            return ofFloats(f.clone(), newShape);
        }
        if (h instanceof double[] d) {
            return ofDoubles(d.clone(), newShape);
        }
        return of(nd.dup('c').reshape('c', newShape));
    }

    /**
     * The same data under another shape of equal size: sharing the array (no copy) when no tensor holds this
     * storage, such as an op's fresh result or a gradient, which nobody writes; a copy once a tensor does, since a
     * user may then write it in place and a view would change silently with it.
     */
    public Storage viewAs(long[] newShape) {
        if (published) {
            return reshape(newShape);
        }
        share(); // the array now has two holders
        Object h = heap;
        if (h instanceof float[] f) {
            return ofFloats(f, newShape);
        }
        if (h instanceof double[] d) {
            return ofDoubles(d, newShape);
        }
        return of(nd.reshape('c', newShape));
    }

    /*
     * The in-place writers below hold this storage's lock, as nd() does when it moves the data into an ND4J
     * array, so a write can never land in a heap array that a concurrent nd() has just copied and dropped.
     */

    /**
     * In place: {@code this += alpha * src} for equal sizes. Used to accumulate gradients and by optimizers, so it
     * writes into the heap array or directly into the ND4J buffer without creating arrays.
     */
    public synchronized void addScaled(Storage src, double alpha) {
        ownArray();
        bumpVersion();
        if (src.size != size) {
            throw new IllegalArgumentException("addScaled: sizes differ: " + Arrays.toString(shape) + " and "
                    + Arrays.toString(src.shape));
        }
        Object h = heap;
        if (h instanceof float[] f) {
            float[] s = src.floats();
            float a = (float) alpha;
            for (int i = 0; i < size; i++) {
                f[i] += a * s[i];
            }
            return;
        }
        if (h instanceof double[] d) {
            double[] s = src.doubles();
            for (int i = 0; i < size; i++) {
                d[i] += alpha * s[i];
            }
            return;
        }
        INDArray a = nd;
        if (isDenseC(a) && type == DataType.FLOAT) {
            FloatBuffer b = floatBuffer();
            float[] s = src.floats();
            float al = (float) alpha;
            for (int i = 0; i < size; i++) {
                b.put(i, b.get(i) + al * s[i]);
            }
        } else if (isDenseC(a) && type == DataType.DOUBLE) {
            DoubleBuffer b = doubleBuffer();
            double[] s = src.doubles();
            for (int i = 0; i < size; i++) {
                b.put(i, b.get(i) + alpha * s[i]);
            }
        } else {
            INDArray s = src.nd().reshape(a.shape());
            a.addi(alpha == 1 ? s : s.mul(alpha));
        }
    }

    /** In place {@code this op= b} (b broadcast), under this storage's lock. */
    public synchronized void binaryInto(Elementwise.BinaryOp op, Storage b) {
        ownArray();
        bumpVersion();
        if (!Elementwise.heapBinaryInto(op, this, b)) {
            Elementwise.ndBinaryInto(op, this, b);
        }
    }

    /** In place: every element clamped to {@code [lo, hi]} (NaN stays NaN, as PyTorch's clamp_). */
    public synchronized void clampInPlace(double lo, double hi) {
        ownArray();
        bumpVersion();
        Object h = heap;
        if (h instanceof float[] f) {
            float l = (float) lo;
            float u = (float) hi;
            for (int i = 0; i < f.length; i++) {
                f[i] = f[i] != f[i] ? f[i] : Math.min(Math.max(f[i], l), u);
            }
        } else if (h instanceof double[] d) {
            for (int i = 0; i < d.length; i++) {
                d[i] = d[i] != d[i] ? d[i] : Math.min(Math.max(d[i], lo), hi);
            }
        } else {
            double[] v = doubles();
            for (int i = 0; i < v.length; i++) {
                v[i] = v[i] != v[i] ? v[i] : Math.min(Math.max(v[i], lo), hi);
            }
            INDArray a = nd;
            a.assign(Nd4j.create(v, a.shape(), DataType.DOUBLE).castTo(type));
        }
    }

    /** In place: every element set to {@code v}. */
    public synchronized void fill(double v) {
        ownArray();
        bumpVersion();
        Object h = heap;
        if (h instanceof float[] f) {
            Arrays.fill(f, (float) v);
        } else if (h instanceof double[] d) {
            Arrays.fill(d, v);
        } else {
            nd.assign(v);
        }
    }

    /** In place: copy of {@code src} (same size, converted to this type). */
    public synchronized void assign(Storage src) {
        ownArray();
        bumpVersion();
        Object h = heap;
        if (h instanceof float[] f) {
            System.arraycopy(src.floats(), 0, f, 0, size);
        } else if (h instanceof double[] d) {
            System.arraycopy(src.doubles(), 0, d, 0, size);
        } else if (Blas.directBlas() && type == DataType.FLOAT && isDenseC(nd) && src.isFloating() && size > 0) {
            // no ND4J array made for a heap source; host memory is the array's only copy on the CPU backend (a
            // CUDA array would not see a write to its host buffer, so it goes through assign below)
            floatBuffer().put(0, src.floats(), 0, size);
        } else if (Blas.directBlas() && type == DataType.DOUBLE && isDenseC(nd) && src.isFloating()
                && size > 0) {
            doubleBuffer().put(0, src.doubles(), 0, size);
        } else {
            INDArray s = src.nd();
            nd.assign(s.dataType() == type ? s.reshape(nd.shape()) : s.castTo(type).reshape(nd.shape()));
        }
    }

    /**
     * In place: this storage's {@link #size()} values read from {@code src} at {@code offset}, converted to this
     * type. For buffers that many tensors share end to end (the buckets of a gradient all-reduce): no array is made
     * for a dense float32 target.
     */
    public synchronized void assign(float[] src, int offset) {
        ownArray();
        Objects.checkFromIndexSize(offset, size, src.length);
        if (heap instanceof float[] f) {
            bumpVersion();
            System.arraycopy(src, offset, f, 0, size);
        } else if (type == DataType.FLOAT && size > 0 && Blas.directBlas() && isDenseC(nd)) {
            bumpVersion();
            floatBuffer().put(0, src, offset, size);
        } else {
            assign(copyOf(Arrays.copyOfRange(src, offset, offset + size), shape));
        }
    }

    /** {@link #assign(float[], int)} from float64 values. */
    public synchronized void assign(double[] src, int offset) {
        ownArray();
        Objects.checkFromIndexSize(offset, size, src.length);
        if (heap instanceof double[] d) {
            bumpVersion();
            System.arraycopy(src, offset, d, 0, size);
        } else if (type == DataType.DOUBLE && size > 0 && Blas.directBlas() && isDenseC(nd)) {
            bumpVersion();
            doubleBuffer().put(0, src, offset, size);
        } else {
            assign(copyOf(Arrays.copyOfRange(src, offset, offset + size), shape));
        }
    }

    /** In place: the element at row-major position {@code flat} set to {@code v}. */
    public synchronized void put(int flat, double v) {
        ownArray();
        bumpVersion();
        Object h = heap;
        if (h instanceof float[] f) {
            f[flat] = (float) v;
        } else if (h instanceof double[] d) {
            d[flat] = v;
        } else {
            INDArray a = nd;
            if (shape.length == 0) {
                a.putScalar(0, v); // a direct write: assign would run an ND4J op
            } else {
                a.putScalar(index(flat), v);
            }
        }
    }

    /** The row-major multi-index of flat position {@code flat}. */
    private long[] index(int flat) {
        long[] idx = new long[shape.length];
        long rest = flat;
        for (int k = shape.length - 1; k >= 0; k--) {
            idx[k] = rest % shape[k];
            rest /= shape[k];
        }
        return idx;
    }
}

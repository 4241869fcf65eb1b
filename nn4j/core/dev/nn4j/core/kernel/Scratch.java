package dev.nn4j.core.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Per-thread buffers the kernels reuse: direct buffers that heap operands are staged through on their way to BLAS
 * (one bulk copy each, where handing JavaCPP a heap array costs a copy in and a copy back out for every operand),
 * and a double array to sum into.
 */
final class Scratch {
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final FloatBuffer[] slots = new FloatBuffer[10];
    /**
     * What each slot holds a staged copy of (null when it was handed out for writing), with that storage's version
     * and heap array at the time: a linear layer's backward stages its output gradient for two products in turn,
     * and the second finds it already there. Strong references, at most one per slot.
     */
    private final Storage[] stagedFrom = new Storage[10];
    private final Object[] stagedHeap = new Object[10];
    private final int[] stagedVersion = new int[10];
    private double[] sums = new double[0];
    private float[] heap = new float[0];

    private Scratch() {
    }

    /** This thread's scratch. */
    static Scratch get() {
        return SCRATCH.get();
    }

    /** {@code n} zeros to sum into, reused by the next call. */
    double[] sums(int n) {
        if (sums.length < n) {
            sums = new double[Math.max(n, 2 * sums.length)];
        } else {
            Arrays.fill(sums, 0, n, 0.0);
        }
        return sums;
    }

    /**
     * Buffers above this many floats (64 MB) are made for the call and not kept: a thread that once convolved a
     * large image should not hold that much memory for the rest of its life.
     */
    private static final int KEEP_LIMIT = 1 << 24;

    /** A heap array of at least {@code n} floats, reused by the next call; its contents are arbitrary. */
    float[] heap(int n) {
        if (n > KEEP_LIMIT) {
            return new float[n];
        }
        if (heap.length < n) {
            heap = new float[Math.max(n, Math.min(KEEP_LIMIT, 2 * heap.length))];
        }
        return heap;
    }

    /** Direct buffer {@code i}, at least {@code size} floats; its contents are whatever the last user left. */
    FloatBuffer slot(int i, int size) {
        stagedFrom[i] = null;
        stagedHeap[i] = null;
        if (size > KEEP_LIMIT) {
            return ByteBuffer.allocateDirect(size * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
        FloatBuffer b = slots[i];
        if (b == null || b.capacity() < size) {
            int cap = Math.max(size, Math.min(KEEP_LIMIT, b == null ? 1024 : b.capacity() * 2));
            b = ByteBuffer.allocateDirect(cap * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            slots[i] = b;
        }
        return b;
    }

    /** A direct buffer holding {@code s}: its own ND4J buffer when it has one, else a copy staged in slot {@code i}. */
    FloatBuffer stage(int i, Storage s) {
        if (!s.onHeap()) {
            FloatBuffer own = s.floatBuffer();
            if (own.isDirect()) {
                return own;
            }
        }
        int version = s.version(); // before the data: a write bumps it first, so a copy is never newer than this
        float[] data = s.floats();
        if (stagedFrom[i] == s && stagedHeap[i] == data && stagedVersion[i] == version && slots[i] != null
                && s.size() <= KEEP_LIMIT) {
            return slots[i]; // unchanged since it was staged here
        }
        FloatBuffer b = slot(i, s.size());
        b.put(0, data, 0, s.size());
        if (s.size() <= KEEP_LIMIT) {
            stagedFrom[i] = s;
            stagedHeap[i] = data;
            stagedVersion[i] = version;
        }
        return b;
    }
}

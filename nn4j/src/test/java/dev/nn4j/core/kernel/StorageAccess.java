package dev.nn4j.core.kernel;

/** Test access to a storage's live arrays, which only the kernels may touch in main code. */
public final class StorageAccess {
    private StorageAccess() {
    }

    /** A float32 storage over {@code data} itself (no copy), as a kernel makes one. */
    public static Storage ofFloats(float[] data, long... shape) {
        return Storage.ofFloats(data, shape);
    }

    /** The live float array (or a converted copy), as the kernels read it. */
    public static float[] floats(Storage s) {
        return s.floats();
    }

    /** The live double array (or a converted copy), as the kernels read it. */
    public static double[] doubles(Storage s) {
        return s.doubles();
    }

    /** The array a kernel may overwrite in place, or null. */
    public static float[] owned(Storage s) {
        return s.ownedFloats();
    }
}

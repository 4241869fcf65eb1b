package dev.nn4j.io;

/**
 * How much a checkpoint may ask for, relative to its own size. torch.save stores entries uncompressed, so a
 * genuine file expands by about 1x; the slack below admits re-zipped (deflated) files and tied or expanded
 * tensors while refusing zip bombs and stride tricks before anything is allocated.
 *
 * @param maxEntries          zip entries in the archive
 * @param maxPickleBytes      size of data.pkl (a state dict's pickle is about 100 bytes per tensor)
 * @param expansion           total uncompressed bytes may be this many times the file size ...
 * @param floorBytes          ... or this many bytes, whichever is larger; also the slack for loaded tensors
 * @param viewExpansion       loaded tensor bytes may be this many times the file size (plus {@code floorBytes}):
 *                            a stride-0 view of one element can otherwise describe terabytes
 * @param maxDictDepth        nesting of dicts in the pickled object
 */
record TorchLimits(int maxEntries, long maxPickleBytes, long expansion, long floorBytes, long viewExpansion,
                   int maxDictDepth) {
    static final TorchLimits DEFAULT = new TorchLimits(100_000, 64L << 20, 100, 64L << 20, 4, 64);

    /** The most uncompressed bytes a zip of {@code fileSize} bytes may declare. */
    long maxUncompressed(long fileSize) {
        return Math.max(floorBytes, saturatingMultiply(fileSize, expansion));
    }

    /** The most tensor bytes a file of {@code fileSize} bytes may load to. */
    long maxLoaded(long fileSize) {
        long scaled = saturatingMultiply(fileSize, viewExpansion);
        return scaled > Long.MAX_VALUE - floorBytes ? Long.MAX_VALUE : scaled + floorBytes;
    }

    private static long saturatingMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }
}

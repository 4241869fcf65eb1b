package dev.nn4j.distributed;

/**
 * The typed entry points of a {@link ProcessGroup}, each turned into a {@link Section}, so that a backend writes
 * each collective once for float32 and float64. One collective at a time per group: they are synchronized.
 */
abstract class SectionGroup implements ProcessGroup {
    /** Sums {@code s} over the ranks, in place. */
    abstract void allReduce(Section s);

    /** Replaces {@code s} with {@code root}'s. */
    abstract void broadcast(Section s, int root);

    @Override
    public final synchronized void allReduce(float[] data, int offset, int length) {
        allReduce(Section.of(data, offset, length));
    }

    @Override
    public final synchronized void allReduce(double[] data, int offset, int length) {
        allReduce(Section.of(data, offset, length));
    }

    @Override
    public final synchronized void broadcast(float[] data, int offset, int length, int root) {
        checkRoot(root);
        broadcast(Section.of(data, offset, length), root);
    }

    @Override
    public final synchronized void broadcast(double[] data, int offset, int length, int root) {
        checkRoot(root);
        broadcast(Section.of(data, offset, length), root);
    }

    private void checkRoot(int root) {
        if (root < 0 || root >= worldSize()) {
            throw new IllegalArgumentException("broadcast: root " + root + " is not a rank of a group of "
                    + worldSize());
        }
    }
}

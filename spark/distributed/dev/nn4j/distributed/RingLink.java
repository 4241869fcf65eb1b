package dev.nn4j.distributed;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * One direction of the ring: the connection to the next rank (this side only sends) or from the previous one
 * (this side only receives), so each link owns its buffer and the two can run at once.
 *
 * <p>A message is a header (magic, call number, kind and type, the call's length, this message's element count)
 * then the elements, little-endian, in pieces of at most {@link #PIECE_BYTES}: a receiver checks that the sender
 * made the same call, and the buffers stay small whatever the bucket size.
 *
 * <p>The channel is non-blocking and every wait goes through a selector with the group's time-out, so a read or a
 * write that the peer never completes fails instead of hanging; the buffer is direct, so the data is copied once
 * between the Java array and the kernel on each side (a socket stream copies twice).
 */
final class RingLink implements AutoCloseable {
    static final int MAGIC = 0x4e4e344a; // "NN4J"
    static final int HEADER_BYTES = 20;
    static final int PIECE_BYTES = 1 << 20;

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final long timeoutMillis;
    /** The rank at the other end. */
    final int peer;
    /**
     * The largest message (payload) this side writes without a sender thread: a quarter of the send buffer the
     * kernel granted, and at most 64 KB, so the write completes into the buffers even if the peer is not reading.
     */
    final int inlineBytes;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(HEADER_BYTES + PIECE_BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);

    RingLink(SocketChannel channel, int peer, long timeoutMillis) throws IOException {
        this.channel = channel;
        this.peer = peer;
        this.timeoutMillis = timeoutMillis;
        this.inlineBytes = Math.min(64 << 10, channel.socket().getSendBufferSize() / 4 - HEADER_BYTES);
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.key = channel.register(selector, 0);
    }

    /**
     * Sends elements {@code [from, from + count)} of {@code s} as part of call {@code call} of {@code kind}, which
     * moves {@code s.length} values in all.
     */
    void send(int call, int kind, Section s, int from, int count) throws IOException {
        ByteBuffer b = buffer;
        b.clear();
        b.putInt(MAGIC).putInt(call).putInt(kind << 8 | s.typeCode()).putInt(s.length).putInt(count);
        int perPiece = PIECE_BYTES / s.bytesPerElement();
        int done = 0;
        do {
            int n = Math.min(perPiece, count - done);
            s.put(b, from + done, n);
            b.flip();
            while (b.hasRemaining()) {
                if (channel.write(b) == 0) {
                    await(SelectionKey.OP_WRITE, "took no data", timeoutMillis);
                }
            }
            b.clear();
            done += n;
        } while (done < count);
    }

    /**
     * Receives call {@code call} of {@code kind} into elements {@code [from, from + count)} of {@code s}, added to
     * them or replacing them.
     *
     * @throws ProtocolMismatch when the peer sent a different call, kind, type or count
     */
    void receive(int call, int kind, Section s, int from, int count, boolean add) throws IOException {
        ByteBuffer h = readFully(HEADER_BYTES);
        int magic = h.getInt();
        int gotCall = h.getInt();
        int kindAndType = h.getInt();
        int gotTotal = h.getInt();
        int gotCount = h.getInt();
        if (magic != MAGIC) {
            throw new ProtocolMismatch("rank " + peer + " sent bytes that are not an nn4j collective message");
        }
        if (kindAndType >> 8 == Kind.ABORT) {
            throw new PeerFailed(peer, abortText(gotCount, timeoutMillis));
        }
        if (gotCall != call || kindAndType != (kind << 8 | s.typeCode()) || gotTotal != s.length
                || gotCount != count) {
            throw new ProtocolMismatch("rank " + peer + " sent " + Kind.describe(kindAndType >> 8, gotCall)
                    + " of " + gotTotal + " " + ((kindAndType & 0xff) == 0 ? "float32" : "float64")
                    + " values where this rank expected " + Kind.describe(kind, call) + " of " + s.length + " "
                    + s.typeName() + " values: every rank must make the same collective calls in the same order, "
                    + "with the same lengths");
        }
        int perPiece = PIECE_BYTES / s.bytesPerElement();
        int done = 0;
        while (done < count) {
            int n = Math.min(perPiece, count - done);
            int bytes = n * s.bytesPerElement();
            s.get(readFully(bytes), from + done, n, add);
            done += n;
        }
    }

    /** The next {@code length} bytes, in the buffer (position 0, limit {@code length}). */
    private ByteBuffer readFully(int length) throws IOException {
        return readFully(length, timeoutMillis);
    }

    private ByteBuffer readFully(int length, long waitMillis) throws IOException {
        ByteBuffer b = buffer;
        b.clear().limit(length);
        while (b.hasRemaining()) {
            int n = channel.read(b);
            if (n < 0) {
                throw new EOFException("rank " + peer + " closed the connection");
            }
            if (n == 0) {
                await(SelectionKey.OP_READ, "sent nothing", waitMillis);
            }
        }
        return b.flip();
    }

    /** Waits until the channel is ready for {@code op}, at most the time-out. */
    private void await(int op, String silence, long waitMillis) throws IOException {
        int ready;
        try {
            key.interestOps(op);
            ready = selector.select(Math.max(1, waitMillis)); // 0 would wait for ever
            selector.selectedKeys().clear();
            key.interestOps(0);
        } catch (java.nio.channels.ClosedSelectorException | java.nio.channels.CancelledKeyException e) {
            throw new java.nio.channels.AsynchronousCloseException(); // closed by another thread
        }
        if (ready == 0) {
            if (Thread.currentThread().isInterrupted()) {
                throw new java.io.InterruptedIOException("interrupted while waiting for rank " + peer);
            }
            throw new SocketTimeoutException("rank " + peer + " " + silence + " for " + waitMillis + " ms");
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing is best effort: the group is failing or done either way
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // as above
        }
    }

    /**
     * Tells the peer this rank has failed and why, so that its collective fails with the cause rather than a lost
     * connection: best effort, with a short time-out, between messages only.
     */
    void sendAbort(String why) {
        byte[] utf8 = why.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int n = Math.min(utf8.length, 4096);
        ByteBuffer b = buffer;
        b.clear();
        b.putInt(MAGIC).putInt(0).putInt(Kind.ABORT << 8).putInt(n).putInt(n).put(utf8, 0, n).flip();
        long deadline = System.nanoTime() + 1_000_000_000L;
        try {
            while (b.hasRemaining() && System.nanoTime() < deadline) {
                if (channel.write(b) == 0) {
                    key.interestOps(SelectionKey.OP_WRITE);
                    selector.select(100);
                    selector.selectedKeys().clear();
                }
            }
        } catch (IOException ignored) {
            // the peer is gone too: it learns of the failure from the closed connection
        }
    }

    /**
     * The peer's failure report, if one arrives within {@code waitMillis} as the next message: for a rank whose
     * write to another failed, to learn whether a failure travelling the other way explains it.
     */
    String pollAbort(long waitMillis) {
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return null;
                }
                ByteBuffer h = readFully(HEADER_BYTES, left);
                if (h.getInt(0) != MAGIC) {
                    return null;
                }
                int kindAndType = h.getInt(8);
                int count = Math.max(h.getInt(16), 0);
                if (kindAndType >> 8 == Kind.ABORT) {
                    return abortText(count, Math.max(1, left));
                }
                // a data message sent before the report: skip it, piece by piece
                long bytes = (long) count * ((kindAndType & 0xff) == 0 ? Float.BYTES : Double.BYTES);
                while (bytes > 0) {
                    int n = (int) Math.min(bytes, PIECE_BYTES);
                    readFully(n, Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
                    bytes -= n;
                }
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** The text of a failure report whose header announced {@code count} bytes. */
    private String abortText(int count, long waitMillis) throws IOException {
        int bytes = Math.min(Math.max(count, 0), PIECE_BYTES);
        ByteBuffer text = readFully(bytes, waitMillis);
        byte[] utf8 = new byte[bytes];
        text.get(utf8);
        return new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The peer reported that it failed ({@link #sendAbort}). */
    static final class PeerFailed extends IOException {
        final int rank;

        PeerFailed(int rank, String why) {
            super(why);
            this.rank = rank;
        }
    }

    /** The peer made a different collective call than this rank. */
    static final class ProtocolMismatch extends IOException {
        ProtocolMismatch(String message) {
            super(message);
        }
    }

    /** The collective a message belongs to. */
    static final class Kind {
        static final int ALL_REDUCE = 1;
        static final int BROADCAST = 2;
        /** Not a collective: the sender has failed; the payload is why, in UTF-8. */
        static final int ABORT = 3;

        /** A broadcast from {@code root}: the root travels in the kind, so a disagreement is caught. */
        static int broadcast(int root) {
            return BROADCAST | (root + 1) << 4;
        }

        private Kind() {
        }

        static String describe(int kind, int call) {
            int base = kind & 15;
            String name = base == ALL_REDUCE ? "allReduce" : base == BROADCAST ? "broadcast" : "call kind " + kind;
            return name + " #" + call + (base == BROADCAST ? " from rank " + ((kind >> 4) - 1) : "");
        }
    }
}

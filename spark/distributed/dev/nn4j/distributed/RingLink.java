package dev.nn4j.distributed;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One direction of the ring: the connection to the next rank (this side only sends) or from the previous one
 * (this side only receives), so each link owns its buffer and the two can run at once.
 *
 * <p>A message is a header (magic, call number, kind and type, the call's length, this message's element count)
 * then the elements, little-endian,
 * in pieces of at most {@link #PIECE_BYTES}: a receiver checks that the sender made the same call, and the buffers
 * stay small whatever the bucket size.
 */
final class RingLink implements AutoCloseable {
    static final int MAGIC = 0x4e4e344a; // "NN4J"
    static final int HEADER_BYTES = 20;
    static final int PIECE_BYTES = 1 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** The rank at the other end. */
    final int peer;
    private final byte[] buffer = new byte[HEADER_BYTES + PIECE_BYTES];

    RingLink(Socket socket, int peer) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.peer = peer;
    }

    /**
     * Sends elements {@code [from, from + count)} of {@code s} as part of call {@code call} of {@code kind}, which
     * moves {@code s.length} values in all.
     */
    void send(int call, int kind, Section s, int from, int count) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(call).putInt(kind << 8 | s.typeCode()).putInt(s.length).putInt(count);
        int perPiece = PIECE_BYTES / s.bytesPerElement();
        int done = 0;
        do {
            int n = Math.min(perPiece, count - done);
            s.put(b, from + done, n);
            out.write(buffer, 0, b.position());
            b.clear();
            done += n;
        } while (done < count);
        out.flush();
    }

    /**
     * Receives call {@code call} of {@code kind} into elements {@code [from, from + count)} of {@code s}, added to
     * them or replacing them.
     *
     * @throws ProtocolMismatch when the peer sent a different call, kind, type or count
     */
    void receive(int call, int kind, Section s, int from, int count, boolean add) throws IOException {
        readFully(buffer, HEADER_BYTES);
        ByteBuffer h = ByteBuffer.wrap(buffer, 0, HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int magic = h.getInt();
        int gotCall = h.getInt();
        int kindAndType = h.getInt();
        int gotTotal = h.getInt();
        int gotCount = h.getInt();
        if (magic != MAGIC) {
            throw new ProtocolMismatch("rank " + peer + " sent bytes that are not an nn4j collective message");
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
            readFully(buffer, bytes);
            s.get(ByteBuffer.wrap(buffer, 0, bytes).order(ByteOrder.LITTLE_ENDIAN), from + done, n, add);
            done += n;
        }
    }

    private void readFully(byte[] b, int length) throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(b, done, length - done);
            if (n < 0) {
                throw new EOFException("rank " + peer + " closed the connection");
            }
            done += n;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is best effort: the group is failing or done either way
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

        private Kind() {
        }

        static String describe(int kind, int call) {
            String name = kind == ALL_REDUCE ? "allReduce" : kind == BROADCAST ? "broadcast" : "call kind " + kind;
            return name + " #" + call;
        }
    }
}

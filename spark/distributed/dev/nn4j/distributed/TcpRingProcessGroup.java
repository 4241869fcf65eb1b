package dev.nn4j.distributed;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Ranks in a ring over TCP: each rank sends to the next and receives from the previous one. An all-reduce is a
 * reduce-scatter then an all-gather, {@code 2 (n - 1)} steps that each move {@code 1/n} of the data, so every
 * link carries {@code 2 (n - 1) / n} times the data whatever the number of ranks (the bandwidth-optimal schedule
 * of Baidu's ring all-reduce, Horovod and NCCL). Sending and receiving overlap: a sender thread writes to the next
 * rank while the caller reads from the previous one.
 *
 * <p>Every socket has a time-out: a connection, a read, a write that the peer does not drain (the time-out bounds
 * a wait without progress, not a whole transfer). A rank whose connection closes (its process died or it closed
 * the group) makes this one fail at once, naming it; a rank that fails in its own code and {@link #abort}s passes
 * its error around the ring, so every rank's error names it. A broadcast is stored and forwarded whole, so the
 * rank k hops from the root waits k - 1 transfers for its first byte: with many ranks and large broadcasts, the
 * time-out must exceed that.
 * PyTorch: the {@code gloo} backend's ring all-reduce, which it uses on CPUs.
 */
public final class TcpRingProcessGroup extends SectionGroup {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TcpRingProcessGroup.class);
    private static final int HELLO_MAGIC = 0x4e4e3452; // "NN4R"

    private final int rank;
    private final int worldSize;
    private final long timeoutMillis;
    private final RingLink next;
    private final RingLink prev;
    private final ExecutorService sender;
    private int call;
    private volatile String failure;
    private volatile boolean closed;
    /** The sender thread's current write, if any. */
    private volatile Future<?> inFlight;

    private TcpRingProcessGroup(int rank, int worldSize, Duration timeout, RingLink next, RingLink prev) {
        this.rank = rank;
        this.worldSize = worldSize;
        this.timeoutMillis = timeout.toMillis();
        this.next = next;
        this.prev = prev;
        this.sender = worldSize == 1 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "nn4j-ring-send-rank" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Joins the ring as {@code rank}, listening on the port of {@code ranks.get(rank)}: for ranks started by hand
     * on known addresses (PyTorch: {@code init_process_group("gloo", init_method="tcp://...")}).
     */
    public static TcpRingProcessGroup connect(int rank, List<InetSocketAddress> ranks, Duration timeout) {
        checkRank(rank, ranks);
        ServerSocketChannel listener;
        try {
            listener = ServerSocketChannel.open();
            listener.socket().setReuseAddress(true);
            listener.bind(new InetSocketAddress(ranks.get(rank).getPort()));
        } catch (IOException e) {
            throw new DistributedException("rank " + rank + ": cannot listen on port " + ranks.get(rank).getPort(), e);
        }
        return connect(rank, ranks, listener, timeout);
    }

    /**
     * Joins the ring as {@code rank} with a listener already bound, whose address the other ranks know as
     * {@code ranks.get(rank)} (a launcher binds a free port first, then exchanges the addresses, as
     * {@code SparkRanks} does). The listener is closed once the previous rank has connected.
     *
     * @param timeout for connecting, for every read and write, and for the ring to form
     * @throws DistributedException when the ring cannot form within the time-out, naming the rank not reached
     */
    public static TcpRingProcessGroup connect(int rank, List<InetSocketAddress> ranks, ServerSocketChannel listener,
                                              Duration timeout) {
        checkRank(rank, ranks);
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException("timeout must be at least 1 ms, got " + timeout);
        }
        int n = ranks.size();
        if (n == 1) {
            closeQuietly(listener);
            return new TcpRingProcessGroup(rank, 1, timeout, null, null);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int token = token(ranks);
        int nextRank = (rank + 1) % n;
        int prevRank = (rank + n - 1) % n;
        RingLink next = null;
        long millis = timeout.toMillis();
        try (ServerSocketChannel l = listener) {
            next = dial(rank, nextRank, ranks.get(nextRank), n, token, deadline, millis);
            RingLink prev = accept(l, rank, prevRank, n, token, deadline, millis);
            return new TcpRingProcessGroup(rank, n, timeout, next, prev);
        } catch (IOException | RuntimeException e) {
            if (next != null) {
                next.close();
            }
            throw e instanceof DistributedException d ? d
                    : new DistributedException("rank " + rank + ": the ring did not form: " + e.getMessage(), e);
        }
    }

    /**
     * The same on every rank of this job and unlikely to match another job's: from the addresses as given (host
     * strings and ports), not as resolved, since a host may resolve its own name differently from its peers.
     */
    private static int token(List<InetSocketAddress> ranks) {
        int h = 1;
        for (InetSocketAddress a : ranks) {
            h = 31 * h + a.getHostString().hashCode();
            h = 31 * h + a.getPort();
        }
        return h;
    }

    private static void checkRank(int rank, List<InetSocketAddress> ranks) {
        if (ranks.isEmpty() || rank < 0 || rank >= ranks.size()) {
            throw new IllegalArgumentException("rank " + rank + " is not one of the " + ranks.size() + " ranks");
        }
    }

    /** Connects to the next rank, retrying until the deadline (it may not listen yet), and says who this is. */
    private static RingLink dial(int rank, int peer, InetSocketAddress address, int n, int token, long deadline,
                                 long timeoutMillis) throws IOException {
        IOException last = null;
        for (int wait = remainingMillis(deadline); wait > 0; wait = remainingMillis(deadline)) {
            SocketChannel ch = SocketChannel.open();
            Socket s = ch.socket();
            try {
                s.connect(address, wait); // 0 would mean no time-out: the loop never passes it
                configure(s, remainingMillis(deadline));
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(HELLO_MAGIC);
                out.writeInt(token);
                out.writeInt(n);
                out.writeInt(rank);
                out.flush();
                return new RingLink(ch, peer, timeoutMillis);
            } catch (IOException e) {
                last = e;
                closeQuietly(ch);
                sleepBriefly();
            }
        }
        throw new DistributedException("rank " + rank + ": could not connect to rank " + peer + " at " + address
                + " before the time-out" + (last != null ? " (" + last.getMessage() + ")" : ""), last);
    }

    /** Accepts the previous rank's connection, refusing any other (a stray client, another job's rank). */
    private static RingLink accept(ServerSocketChannel listener, int rank, int peer, int n, int token,
                                   long deadline, long timeoutMillis) throws IOException {
        while (true) {
            int wait = remainingMillis(deadline);
            if (wait <= 0) {
                break;
            }
            listener.socket().setSoTimeout(wait); // the adaptor's accept honours it; the channel's would not
            Socket s;
            try {
                s = listener.socket().accept();
            } catch (SocketTimeoutException e) {
                break;
            }
            try {
                // a client that connects and says nothing must not hold the ring up for the whole time-out
                configure(s, Math.max(1, Math.min(remainingMillis(deadline), 2000)));
                DataInputStream in = new DataInputStream(s.getInputStream());
                int magic = in.readInt();
                int gotToken = in.readInt();
                int gotN = in.readInt();
                int gotRank = in.readInt();
                if (magic == HELLO_MAGIC && gotToken == token && gotN == n && gotRank == peer) {
                    return new RingLink(s.getChannel(), peer, timeoutMillis);
                }
                LOG.warn("rank {}: refused a connection from {} (rank {} of {}, not rank {} of this job)", rank,
                        s.getRemoteSocketAddress(), gotRank, gotN, peer);
            } catch (IOException e) {
                LOG.warn("rank {}: dropped a connection from {}: {}", rank, s.getRemoteSocketAddress(), e.toString());
            }
            closeQuietly(s);
        }
        throw new DistributedException("rank " + rank + ": rank " + peer + " did not connect before the time-out");
    }

    private static void configure(Socket s, int timeoutMillis) throws IOException {
        s.setTcpNoDelay(true);
        s.setSoTimeout(Math.max(1, timeoutMillis));
        s.setReceiveBufferSize(4 << 20);
        s.setSendBufferSize(4 << 20);
    }

    private static int remainingMillis(long deadline) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, (deadline - System.nanoTime()) / 1_000_000));
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DistributedException("interrupted while connecting the ring");
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing to do: the ring is failing already
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return worldSize;
    }

    @Override
    void allReduce(Section s) {
        int c = begin();
        if (worldSize == 1) {
            return;
        }
        int n = worldSize;
        int[] start = new int[n + 1];
        for (int i = 0; i <= n; i++) {
            start[i] = (int) ((long) s.length * i / n);
        }
        // reduce-scatter: after n - 1 steps this rank holds the full sum of segment (rank + 1) mod n
        for (int step = 0; step < n - 1; step++) {
            int out = Math.floorMod(rank - step, n);
            int in = Math.floorMod(rank - step - 1, n);
            exchange(c, RingLink.Kind.ALL_REDUCE, s, start[out], start[out + 1] - start[out], start[in],
                    start[in + 1] - start[in], true);
        }
        // all-gather: the finished segments travel once around the ring
        for (int step = 0; step < n - 1; step++) {
            int out = Math.floorMod(rank + 1 - step, n);
            int in = Math.floorMod(rank - step, n);
            exchange(c, RingLink.Kind.ALL_REDUCE, s, start[out], start[out + 1] - start[out], start[in],
                    start[in + 1] - start[in], false);
        }
    }

    @Override
    void broadcast(Section s, int root) {
        int c = begin();
        if (worldSize == 1) {
            return;
        }
        // the root travels in the header, so ranks that name different roots are told so
        int k = RingLink.Kind.broadcast(root);
        boolean forward = (rank + 1) % worldSize != root;
        RingLink at = prev;
        try {
            if (rank != root) {
                prev.receive(c, k, s, 0, s.length, false);
            }
            at = next;
            if (rank == root || forward) {
                // store and forward, on this thread: the next rank is reading, so the write makes progress (a
                // rank k hops from the root waits k - 1 transfers: see the note on time-outs in the class doc)
                next.send(c, k, s, 0, s.length);
            }
        } catch (IOException e) {
            throw failed(c, k, at, e);
        }
    }

    /**
     * Sends one segment to the next rank while receiving one from the previous rank. A segment the socket buffers
     * take whole is written first on this thread: handing it to the sender thread costs more than the write (a
     * wake-up each way, ~50 µs of a 4 KB all-reduce's ~120 µs here), and such a write cannot block, whatever the
     * peer does.
     */
    private void exchange(int c, int kind, Section s, int outFrom, int outCount, int inFrom, int inCount,
                          boolean add) {
        if ((long) outCount * s.bytesPerElement() <= next.inlineBytes) {
            try {
                next.send(c, kind, s, outFrom, outCount);
            } catch (IOException e) {
                throw failed(c, kind, next, e);
            }
            try {
                prev.receive(c, kind, s, inFrom, inCount, add);
            } catch (IOException e) {
                throw failed(c, kind, prev, e);
            }
            return;
        }
        Future<?> sent = sender.submit(() -> {
            next.send(c, kind, s, outFrom, outCount);
            return null;
        });
        inFlight = sent;
        try {
            prev.receive(c, kind, s, inFrom, inCount, add);
        } catch (IOException e) {
            // let the send end on its own (an interrupt would close the channel before an abort could be relayed)
            try {
                sent.get(1, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // it failed or is still stuck: relayed() then leaves the link alone
            }
            throw failed(c, kind, prev, e);
        }
        awaitSend(sent, c, kind);
    }

    /** Waits for the sender thread's write; the link's own waits bound it (no progress for the time-out fails it). */
    private void awaitSend(Future<?> sent, int c, int kind) {
        try {
            sent.get();
        } catch (java.util.concurrent.CancellationException e) {
            throw failed(c, kind, next, new java.io.InterruptedIOException("the group was closed"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw failed(c, kind, next, cause instanceof IOException io ? io : new IOException(cause.toString(), cause));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(c, kind, next, new java.io.InterruptedIOException("interrupted"));
        }
    }

    private int begin() {
        if (closed) {
            throw new DistributedException("rank " + rank + ": the process group is closed");
        }
        if (failure != null) {
            throw new DistributedException("rank " + rank + ": the process group failed earlier: " + failure);
        }
        return ++call;
    }

    /** Breaks the group (closing its sockets, so the other ranks fail at once too) and describes why. */
    private DistributedException failed(int c, int kind, RingLink link, IOException cause) {
        int peer = link.peer;
        String what;
        if (cause instanceof RingLink.PeerFailed f) {
            what = relayed(f);
        } else if (cause instanceof RingLink.ProtocolMismatch) {
            what = cause.getMessage();
        } else if (cause instanceof SocketTimeoutException) {
            what = cause.getMessage() + "; it has failed or stopped calling collectives";
        } else if (cause instanceof java.io.InterruptedIOException || closed) {
            what = closed ? "the group was closed on this rank" : "interrupted (" + cause.getMessage() + ")";
        } else {
            // a lost connection; a rank that failed may have said why on the other link, just before closing
            String report = link == next ? prev.pollAbort(200) : null;
            what = report != null ? report
                    : "lost the connection to rank " + peer + " (" + cause + "); that rank has failed "
                    + "or closed the group";
        }
        failure = RingLink.Kind.describe(kind, c) + ": " + what;
        shutdown();
        return new DistributedException("rank " + rank + ": " + failure, cause);
    }

    private void shutdown() {
        if (next != null) {
            next.close();
            prev.close();
            sender.shutdownNow();
        }
    }

    /**
     * The failure of a rank upstream, passed on downstream (unless downstream is where it started) so that every
     * rank's error names the rank that failed first and why.
     */
    private String relayed(RingLink.PeerFailed f) {
        String why = f.getMessage();
        Future<?> sending = inFlight;
        if (next.peer != originOf(why) && (sending == null || sending.isDone())) {
            next.sendAbort(why);
        }
        return why;
    }

    private static int originOf(String why) {
        // "rank <r> failed: ..." as abort(...) writes it
        int space = why.indexOf(' ', 5);
        try {
            return why.startsWith("rank ") && space > 5 ? Integer.parseInt(why.substring(5, space)) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Leaves the group after a failure of this rank outside the collectives (an exception in its training code):
     * the next rank's pending collective fails with {@code cause} rather than with a lost connection, and passes
     * it on around the ring, so whichever rank's error a launcher reports names the rank that failed and why.
     * PyTorch: {@code ProcessGroup.abort()}.
     */
    @Override
    public void abort(Throwable cause) {
        Future<?> sending = inFlight;
        if (!closed && failure == null && next != null && (sending == null || sending.isDone())) {
            next.sendAbort("rank " + rank + " failed: " + cause);
        }
        close();
    }

    /**
     * Closes the connections. Not synchronized with the collectives: another thread may call it to stop a
     * collective that is waiting, which then fails at once.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            shutdown();
        }
    }
}

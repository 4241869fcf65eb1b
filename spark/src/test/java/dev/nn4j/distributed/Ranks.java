package dev.nn4j.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/** Test support: n ranks of either backend, each run on its own thread. */
final class Ranks {
    private Ranks() {
    }

    /** The two backends under test. */
    enum Backend {
        LOCAL, TCP
    }

    /** Connected groups for ranks 0..n-1 (the TCP ring is formed on loopback, one thread per rank). */
    static List<ProcessGroup> groups(Backend backend, int n, Duration timeout) {
        if (backend == Backend.LOCAL) {
            return LocalProcessGroup.create(n, timeout);
        }
        List<ServerSocketChannel> listeners = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        try {
            for (int r = 0; r < n; r++) {
                ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                listeners.add(s);
                addresses.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.socket().getLocalPort()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return run(n, r -> TcpRingProcessGroup.connect(r, addresses, listeners.get(r), timeout));
    }

    /** Runs {@code body} as ranks 0..n-1 at once and returns their results in rank order; rethrows a failure. */
    static <R> List<R> run(int n, Function<Integer, R> body) {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                futures.add(pool.submit(() -> body.apply(rank)));
            }
            List<R> out = new ArrayList<>();
            for (Future<R> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs {@code body} as every rank of {@code groups}; each group is closed afterwards. */
    static <R> List<R> on(List<ProcessGroup> groups, Function<ProcessGroup, R> body) {
        return run(groups.size(), r -> {
            try (ProcessGroup g = groups.get(r)) {
                return body.apply(g);
            }
        });
    }
}

package dev.nn4j.spark.bench;

import dev.nn4j.distributed.ProcessGroup;
import dev.nn4j.distributed.TcpRingProcessGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Two ranks of a TCP ring on loopback in one JVM: the benchmark thread is rank 0, and a partner thread runs rank 1's
 * side of every call in lockstep (the ring pairs each call of rank 0 with one of rank 1) until the ring closes.
 */
final class LoopbackRing implements AutoCloseable {
    final ProcessGroup rank0;
    private final ProcessGroup rank1;
    private final Thread partner;

    /**
     * {@code partnerSetUp} runs first on the partner thread (at the same time as rank 0's own set-up, for set-ups
     * that communicate), then {@code partnerCall}, rank 1's side of one benchmark call, until the ring closes.
     */
    LoopbackRing(Consumer<ProcessGroup> partnerSetUp, Consumer<ProcessGroup> partnerCall) {
        List<ServerSocketChannel> listeners = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        try {
            for (int r = 0; r < 2; r++) {
                ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                listeners.add(s);
                addresses.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.socket().getLocalPort()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Duration timeout = Duration.ofMinutes(10); // JMH pauses between iterations; the partner waits meanwhile
        CompletableFuture<ProcessGroup> one = CompletableFuture.supplyAsync(
                () -> TcpRingProcessGroup.connect(1, addresses, listeners.get(1), timeout));
        rank0 = TcpRingProcessGroup.connect(0, addresses, listeners.get(0), timeout);
        rank1 = one.join();
        partner = new Thread(() -> {
            try {
                partnerSetUp.accept(rank1);
                while (true) {
                    partnerCall.accept(rank1);
                }
            } catch (RuntimeException closed) {
                // the benchmark closed the ring: done
            }
        }, "rank1");
        partner.setDaemon(true);
        partner.start();
    }

    @Override
    public void close() throws InterruptedException {
        rank0.close();
        partner.join(10_000);
        rank1.close();
    }
}

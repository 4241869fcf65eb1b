package dev.nn4j.distributed;

import dev.nn4j.distributed.Ranks.Backend;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The collectives of both backends: results, identical bits on every rank, and failures that never hang. */
class ProcessGroupTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    private static float[] data(int rank, int length) {
        SplittableRandom rnd = new SplittableRandom(1000 + rank);
        float[] a = new float[length];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return a;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void allReduceSumsOverTheRanksAndEveryRankGetsTheSameBits(Backend backend) {
        // 1 rank (no communication), 2 (the Spark test's size), 3 (segments of unequal length); lengths below the
        // world size, odd, and above one wire piece (262,144 floats)
        for (int n : new int[] {1, 2, 3}) {
            for (int length : new int[] {1, 2, 7, 300_001}) {
                List<float[]> out = Ranks.on(Ranks.groups(backend, n, LONG), g -> {
                    float[] a = new float[length + 3];
                    System.arraycopy(data(g.rank(), length), 0, a, 2, length);
                    a[0] = 42;
                    a[length + 2] = 43;
                    g.allReduce(a, 2, length);
                    return a;
                });
                double[] expected = new double[length];
                for (int r = 0; r < n; r++) {
                    float[] d = data(r, length);
                    for (int i = 0; i < length; i++) {
                        expected[i] += d[i];
                    }
                }
                for (int i = 0; i < length; i++) {
                    double sum = expected[i];
                    assertEquals(sum, out.get(0)[i + 2], 1e-5, backend + " n=" + n + " length=" + length + " i=" + i);
                }
                for (float[] a : out) {
                    assertEquals(42, a[0]); // outside the section: untouched
                    assertEquals(43, a[length + 2]);
                    assertArrayEquals(out.get(0), a, backend + " n=" + n + ": ranks disagree");
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void doublesAreReducedAndBroadcastInFullPrecision(Backend backend) {
        List<double[]> out = Ranks.on(Ranks.groups(backend, 3, LONG), g -> {
            double[] a = {1e-17 * (g.rank() + 1), 1 + g.rank()};
            g.allReduce(a, 0, 2);
            double[] b = {Math.PI * g.rank(), g.rank()};
            g.broadcast(b, 0, 2, 2);
            return new double[] {a[0], a[1], b[0], b[1]};
        });
        for (double[] a : out) {
            assertEquals(6e-17, a[0], 1e-30);
            assertEquals(6, a[1], 0);
            assertEquals(2 * Math.PI, a[2], 0);
            assertEquals(2, a[3], 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void broadcastCopiesTheRootsValuesFromAnyRoot(Backend backend) {
        int n = 3;
        for (int root = 0; root < n; root++) {
            int src = root;
            List<float[]> out = Ranks.on(Ranks.groups(backend, n, LONG), g -> {
                float[] a = data(g.rank(), 300_001);
                g.broadcast(a, 0, a.length, src);
                return a;
            });
            for (float[] a : out) {
                assertArrayEquals(data(src, 300_001), a);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void ranksThatCallDifferentCollectivesAreToldSo(Backend backend) {
        List<ProcessGroup> groups = Ranks.groups(backend, 2, LONG);
        List<String> messages = Ranks.on(groups, g -> {
            try {
                g.allReduce(new float[10 + g.rank()], 0, 10 + g.rank());
                return "no failure";
            } catch (DistributedException e) {
                return e.getMessage();
            }
        });
        // the rank that sees the other's message first says what differs; the other fails too (its peer has
        // left, or it sees the mismatch as well)
        for (String m : messages) {
            assertTrue(m.startsWith("rank "), m);
        }
        assertTrue(messages.stream().anyMatch(m -> m.contains("same collective calls") && m.contains("10")
                && m.contains("11")), messages.toString());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aRankThatLeavesFailsTheOthersAtOnceNotAtTheTimeOut(Backend backend) {
        List<ProcessGroup> groups = Ranks.groups(backend, 3, Duration.ofSeconds(60));
        long start = System.nanoTime();
        List<String> messages = Ranks.on(groups, g -> {
            if (g.rank() == 1) {
                g.allReduce(new float[4], 0, 4);
                return "left"; // closes its group: as if its process died after one step
            }
            try {
                for (int step = 0; step < 3; step++) {
                    g.allReduce(new float[4], 0, 4);
                }
                return "no failure";
            } catch (DistributedException e) {
                return e.getMessage();
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 20, "took " + seconds + " s: the failure waited for the time-out");
        assertTrue(messages.get(0).startsWith("rank 0"), messages.get(0));
        assertTrue(messages.get(2).startsWith("rank 2"), messages.get(2));
        // the ranks next to the one that left name it
        assertTrue(messages.get(2).contains("rank 1"), messages.get(2));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void ranksThatNameDifferentBroadcastRootsAreToldSo(Backend backend) {
        List<String> messages = Ranks.on(Ranks.groups(backend, 2, Duration.ofSeconds(5)), g -> {
            try {
                g.broadcast(new float[3], 0, 3, g.rank()); // each rank believes it is the root
                g.barrier();
                return "no failure";
            } catch (DistributedException e) {
                return e.getMessage();
            }
        });
        // in-JVM ranks compare their calls at the broadcast; ring ranks that both act as root never receive in
        // it, so the next call finds the other's broadcast where it expected its own call
        String all = String.join(" | ", messages);
        assertTrue(all.contains("broadcast #1 from rank 0") && all.contains("broadcast #1 from rank 1"), all);
        assertTrue(messages.stream().allMatch(m -> m.startsWith("rank ")), all);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void closingFromAnotherThreadStopsAWaitingCollectiveAtOnce(Backend backend) throws Exception {
        List<ProcessGroup> groups = Ranks.groups(backend, 2, Duration.ofSeconds(60));
        ProcessGroup zero = groups.get(0);
        Thread closer = new Thread(() -> {
            sleep(300);
            zero.close();
        });
        long start = System.nanoTime();
        closer.start();
        assertThrows(DistributedException.class, () -> zero.allReduce(new float[4], 0, 4)); // rank 1 never calls
        closer.join();
        assertTrue((System.nanoTime() - start) / 1e9 < 10, "close did not stop the waiting call");
        groups.get(1).close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aRankThatAbortsGivesEveryOtherRankItsCause(Backend backend) {
        // 3 ranks: rank 2 hears it from rank 1 directly, rank 0 only through rank 2
        List<String> messages = Ranks.on(Ranks.groups(backend, 3, Duration.ofSeconds(60)), g -> {
            if (g.rank() == 1) {
                g.abort(new IllegalStateException("out of memory in the forward"));
                return "aborted";
            }
            try {
                g.allReduce(new float[4], 0, 4);
                return "no failure";
            } catch (DistributedException e) {
                return e.getMessage();
            }
        });
        for (int r : new int[] {0, 2}) {
            String m = messages.get(r);
            assertTrue(m.startsWith("rank " + r) && m.contains("rank 1 failed")
                    && m.contains("IllegalStateException: out of memory in the forward"), m);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSilentRankFailsTheOthersAtTheTimeOutAndTheGroupStaysBroken(Backend backend) {
        List<ProcessGroup> groups = Ranks.groups(backend, 2, Duration.ofMillis(1500));
        AtomicReference<ProcessGroup> zero = new AtomicReference<>();
        long start = System.nanoTime();
        List<String> messages = Ranks.run(2, r -> {
            ProcessGroup g = groups.get(r);
            if (r == 1) {
                sleep(4000); // hangs, but keeps its connections open
                g.close();
                return "silent";
            }
            zero.set(g);
            try {
                g.allReduce(new float[4], 0, 4);
                return "no failure";
            } catch (DistributedException e) {
                return e.getMessage();
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(messages.get(0).contains("rank 0"), messages.get(0));
        assertTrue(messages.get(0).contains("1500") || messages.get(0).contains("PT1.5S"), messages.get(0));
        assertTrue(seconds < 10, "took " + seconds + " s");
        DistributedException again = assertThrows(DistributedException.class,
                () -> zero.get().allReduce(new float[1], 0, 1));
        assertTrue(again.getMessage().contains("earlier") || again.getMessage().contains("closed"),
                again.getMessage());
        zero.get().close();
    }

    @Test
    void aRingWhoseRankNeverStartsFailsToFormNamingIt() throws Exception {
        java.net.InetSocketAddress any = new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
        java.nio.channels.ServerSocketChannel mine = java.nio.channels.ServerSocketChannel.open().bind(any);
        java.nio.channels.ServerSocketChannel absent = java.nio.channels.ServerSocketChannel.open().bind(any);
        List<java.net.InetSocketAddress> addresses = List.of(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), mine.socket().getLocalPort()),
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), absent.socket().getLocalPort()));
        absent.close(); // rank 1 never listens
        DistributedException e = assertThrows(DistributedException.class,
                () -> TcpRingProcessGroup.connect(0, addresses, mine, Duration.ofMillis(800)));
        assertTrue(e.getMessage().contains("rank 1"), e.getMessage());
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> LocalProcessGroup.create(0, LONG));
        ProcessGroup only = LocalProcessGroup.create(1, LONG).get(0);
        assertThrows(IllegalArgumentException.class, () -> only.broadcast(new float[2], 0, 2, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> only.allReduce(new float[2], 1, 2));
        only.close();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.nn4j.distributed;

import dev.nn4j.core.Tensor;
import dev.nn4j.distributed.DataParallelCheck.Sample;
import dev.nn4j.distributed.Ranks.Backend;
import dev.nn4j.nn.Functional;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Module;
import dev.nn4j.nn.Sequential;
import dev.nn4j.optim.SGD;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DistributedDataParallel on both backends: the single-process equivalence and PyTorch's wrapper semantics. */
class DistributedDataParallelTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int B = 8;
    private static final int STEPS = 6;

    private static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, what + " element " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void nRanksWithBatchBTrainLikeOneProcessWithBatchNB(Backend backend) {
        for (int n : new int[] {2, 3}) {
            List<Sample> all = DataParallelCheck.samples(n * B * STEPS, 7);
            double[] expected = DataParallelCheck.singleProcess(all, n, B, STEPS, 11);
            List<double[]> ranks = Ranks.on(Ranks.groups(backend, n, TIMEOUT), g -> {
                // only rank 0 starts from the single process's initialization: the wrapper must copy it
                Module m = DataParallelCheck.model(g.rank() == 0 ? 11 : 100 + g.rank());
                DistributedDataParallel ddp = new DistributedDataParallel(m, g, 0.0005); // several buckets
                SGD opt = DataParallelCheck.optimizer(ddp);
                for (int s = 0; s < STEPS; s++) {
                    DataParallelCheck.step(ddp, opt, DataParallelCheck.shard(all, g.rank(), n, B, s));
                }
                return DataParallelCheck.flat(m);
            });
            for (int r = 0; r < n; r++) {
                assertClose(expected, ranks.get(r), 2e-6, backend + " n=" + n + " rank " + r);
                assertArrayEquals(ranks.get(0), ranks.get(r), backend + ": replicas drifted apart");
            }
            // and the training did move the parameters: the check is not comparing two initializations
            double[] init = DataParallelCheck.flat(DataParallelCheck.model(11));
            assertTrue(Math.abs(init[0] - expected[0]) > 1e-4 || Math.abs(init[5] - expected[5]) > 1e-4);
        }
    }

    @Test
    void aParameterNoRankUsedKeepsNoGradientAndOneUsedBySomeRanksIsAveragedWithZeros() {
        List<double[][]> out = Ranks.on(Ranks.groups(Backend.LOCAL, 2, TIMEOUT), g -> {
            Module m = new TwoHeads();
            DistributedDataParallel ddp = new DistributedDataParallel(m, g);
            Tensor x = Tensor.of(new float[] {1, 2}, 1, 2);
            ((TwoHeads) m).useB = g.rank() == 0; // head b only on rank 0; head c nowhere
            ddp.call(x).sum().backward();
            TwoHeads t = (TwoHeads) m;
            return new double[][] {t.a.weight().grad().storage().toDoubleArray(),
                    t.b.weight().grad().storage().toDoubleArray(),
                    t.c.weight().grad() == null ? null : new double[0]};
        });
        for (double[][] r : out) {
            assertArrayEquals(new double[] {1, 2}, r[0], 1e-6); // same on both ranks: averaged to itself
            assertArrayEquals(new double[] {0.5, 1}, r[1], 1e-6); // rank 0's (1, 2) and rank 1's zeros
            assertNull(r[2]);
        }
    }

    /** A module whose second head is used on some ranks only and whose third is never used. */
    private static final class TwoHeads extends Module {
        final Linear a = registerModule("a", new Linear(2, 1, false));
        final Linear b = registerModule("b", new Linear(2, 1, false));
        final Linear c = registerModule("c", new Linear(2, 1, false));
        volatile boolean useB;

        @Override
        protected Tensor forward(Tensor x) {
            Tensor y = a.call(x);
            return useB ? y.add(b.call(x)) : y;
        }
    }

    @Test
    void aBucketsAllReduceStartsWhileTheBackwardIsStillRunning() throws Exception {
        ProcessGroup inner = LocalProcessGroup.create(1, TIMEOUT).get(0);
        java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CountDownLatch> entered =
                new java.util.concurrent.atomic.AtomicReference<>(new java.util.concurrent.CountDownLatch(0));
        ProcessGroup recording = new ProcessGroup() {
            public int rank() {
                return 0;
            }

            public int worldSize() {
                return 1;
            }

            public void allReduce(float[] d, int o, int n) {
                entered.get().countDown();
                inner.allReduce(d, o, n);
            }

            public void allReduce(double[] d, int o, int n) {
                entered.get().countDown();
                inner.allReduce(d, o, n);
            }

            public void broadcast(float[] d, int o, int n, int root) {
                inner.broadcast(d, o, n, root);
            }

            public void broadcast(double[] d, int o, int n, int root) {
                inner.broadcast(d, o, n, root);
            }

            public void close() {
                inner.close();
            }
        };
        Sequential m = new Sequential(new Linear(4, 8), new dev.nn4j.nn.ReLU(), new Linear(8, 3));
        DistributedDataParallel ddp = new DistributedDataParallel(m, recording, 1e-6); // a bucket per parameter
        java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
        entered.set(first);
        boolean[] overlapped = {false};
        // the first layer's weight is among the last gradients to be final: by then the last layer's buckets
        // must already be on the wire
        m.getParameter("0.weight").registerPostAccumulateGradHook(t -> {
            try {
                overlapped[0] = first.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ddp.call(Tensor.randn(5, 4)).sum().backward();
        assertTrue(overlapped[0], "no all-reduce started before the backward reached the first layer");
        assertNotNull(m.getParameter("0.weight").grad());
        recording.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void twoWrappersOnOneGroupInOneBackwardAverageBoth(Backend backend) {
        // each rank's own gradients first, without any wrapper
        List<double[]> local = Ranks.run(2, r -> {
            Module a = DataParallelCheck.model(1);
            Module b = DataParallelCheck.model(2);
            Tensor x = Tensor.of(new float[] {r + 1f, -r, 0.5f, 1, 2, r}, 1, 6);
            a.call(x).sum().add(b.call(x).mul(2.0).sum()).backward();
            return concat(a, b);
        });
        List<double[]> ranks = Ranks.on(Ranks.groups(backend, 2, TIMEOUT), g -> {
            Module a = DataParallelCheck.model(1);
            Module b = DataParallelCheck.model(2);
            DistributedDataParallel da = new DistributedDataParallel(a, g, 1e-4); // several buckets each
            DistributedDataParallel db = new DistributedDataParallel(b, g, 1e-4);
            Tensor x = Tensor.of(new float[] {g.rank() + 1f, -g.rank(), 0.5f, 1, 2, g.rank()}, 1, 6);
            da.call(x).sum().add(db.call(x).mul(2.0).sum()).backward();
            da.close();
            db.close();
            return concat(a, b);
        });
        for (double[] r : ranks) {
            for (int i = 0; i < r.length; i++) {
                assertEquals((local.get(0)[i] + local.get(1)[i]) / 2, r[i], 1e-6, backend + " element " + i);
            }
        }
    }

    private static double[] concat(Module a, Module b) {
        List<Double> out = new java.util.ArrayList<>();
        for (Module m : List.of(a, b)) {
            for (dev.nn4j.nn.Parameter p : m.parameters()) {
                for (double v : p.grad().storage().toDoubleArray()) {
                    out.add(v);
                }
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void noSyncAccumulatesLocallyAndTheNextBackwardAveragesEverything() {
        List<Sample> all = DataParallelCheck.samples(4 * B, 3);
        // single process: gradients of two half-batches accumulated, one step
        Module ref = DataParallelCheck.model(5);
        SGD refOpt = DataParallelCheck.optimizer(ref);
        refOpt.zeroGrad();
        for (int half = 0; half < 2; half++) {
            Tensor[] xy = DataParallelCheck.batch(all.subList(half * 2 * B, (half + 1) * 2 * B));
            Functional.crossEntropy(ref.call(xy[0]), xy[1]).backward();
        }
        refOpt.step();
        double[] expected = DataParallelCheck.flat(ref);
        List<double[]> ranks = Ranks.on(Ranks.groups(Backend.LOCAL, 2, TIMEOUT), g -> {
            Module m = DataParallelCheck.model(5);
            DistributedDataParallel ddp = new DistributedDataParallel(m, g);
            SGD opt = DataParallelCheck.optimizer(ddp);
            opt.zeroGrad();
            try (DistributedDataParallel.Scope s = ddp.noSync()) {
                Tensor[] xy = DataParallelCheck.batch(DataParallelCheck.shard(all, g.rank(), 2, B, 0));
                Functional.crossEntropy(ddp.call(xy[0]), xy[1]).backward();
            }
            Tensor[] xy = DataParallelCheck.batch(DataParallelCheck.shard(all, g.rank(), 2, B, 1));
            Functional.crossEntropy(ddp.call(xy[0]), xy[1]).backward();
            opt.step();
            return DataParallelCheck.flat(m);
        });
        assertClose(expected, ranks.get(0), 2e-6, "rank 0");
        assertArrayEquals(ranks.get(0), ranks.get(1));
    }

    @Test
    void theWrapperPrintsAndNamesLikePyTorchs() {
        List<String> out = Ranks.on(Ranks.groups(Backend.LOCAL, 1, TIMEOUT), g -> {
            DistributedDataParallel ddp = new DistributedDataParallel(new Sequential(new Linear(2, 3)), g);
            return ddp + "\n" + String.join(",", ddp.stateDict().keySet());
        });
        assertEquals("DistributedDataParallel(\n  (module): Sequential(\n    (0): Linear(in_features=2, "
                + "out_features=3, bias=True)\n  )\n)\nmodule.0.weight,module.0.bias", out.get(0));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void ranksWithDifferentModelsAreAllRefusedTogether(Backend backend) {
        List<String> out = Ranks.on(Ranks.groups(backend, 2, TIMEOUT), g -> {
            try {
                new DistributedDataParallel(new Linear(2, g.rank() == 0 ? 3 : 4), g);
                return "accepted";
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        });
        assertTrue(out.get(1).contains("rank 1's module differs from rank 0's"), out.get(1));
        // rank 0's module is fine, but it must not go on training alone
        assertTrue(out.get(0).contains("another rank's module differs"), out.get(0));
    }

    @Test
    void aBackwardThatFailsDoesNotStopTheAveragingOfLaterOnes() {
        List<double[]> out = Ranks.on(Ranks.groups(Backend.LOCAL, 2, TIMEOUT), g -> {
            Linear lin = new Linear(2, 1, false);
            DistributedDataParallel ddp = new DistributedDataParallel(lin, g);
            Tensor x = Tensor.of(new float[] {1, 2}, 1, 2);
            // the output's hook queues the averaging, then the backward fails further down (an in-place write
            // to a value the graph saved); every rank catches it and skips the batch
            Tensor w = Tensor.of(new float[] {3}, 1, 1).requiresGrad(true);
            Tensor saved = w.mul(1.0);
            Tensor y = ddp.call(x).mul(saved);
            saved.data().addi(1.0); // counted by the version check: the backward refuses
            assertThrows(RuntimeException.class, () -> y.sum().backward());
            lin.zeroGrad();
            ddp.call(Tensor.of(new float[] {g.rank() + 1f, 0}, 1, 2)).sum().backward();
            return lin.weight().grad().storage().toDoubleArray();
        });
        for (double[] grad : out) {
            assertArrayEquals(new double[] {1.5, 0}, grad, 1e-6); // (1 + 2) / 2: averaged again
        }
    }

    @Test
    void buffersFollowRank0AtEveryTrainingForward() {
        List<double[]> out = Ranks.on(Ranks.groups(Backend.LOCAL, 2, TIMEOUT), g -> {
            dev.nn4j.nn.BatchNorm1d bn = new dev.nn4j.nn.BatchNorm1d(2);
            DistributedDataParallel ddp = new DistributedDataParallel(bn, g);
            // each rank normalizes different data: its running mean moves differently
            ddp.call(Tensor.of(new float[] {g.rank() * 10f, 1, g.rank() * 10f + 2, 3}, 2, 2));
            ddp.call(Tensor.of(new float[] {0, 0, 0, 0}, 2, 2)); // starts from rank 0's statistics
            return bn.stateDict().get("running_mean").storage().toDoubleArray();
        });
        assertArrayEquals(out.get(0), out.get(1), 0);
    }
    @Test
    void aLazyModuleMustBeInitializedBeforeItIsWrapped() {
        ProcessGroup g = LocalProcessGroup.create(1, TIMEOUT).get(0);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new DistributedDataParallel(new dev.nn4j.nn.LazyLinear(3), g));
        assertTrue(e.getMessage().contains("not initialized"), e.getMessage());
        g.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void rank0sCheckpointResumesTrainingExactly(Backend backend, @TempDir Path dir) {
        int n = 2;
        List<Sample> all = DataParallelCheck.samples(n * B * STEPS, 9);
        double[] expected = DataParallelCheck.singleProcess(all, n, B, STEPS, 13);
        Path file = dir.resolve("ckpt.safetensors");
        // the first job: half the steps, then rank 0 saves
        Ranks.on(Ranks.groups(backend, n, TIMEOUT), g -> {
            Module m = DataParallelCheck.model(13);
            DistributedDataParallel ddp = new DistributedDataParallel(m, g);
            SGD opt = DataParallelCheck.optimizer(ddp);
            for (int s = 0; s < STEPS / 2; s++) {
                DataParallelCheck.step(ddp, opt, DataParallelCheck.shard(all, g.rank(), n, B, s));
            }
            DistributedCheckpoint.save(g, file, m, opt, Map.of("step", String.valueOf(STEPS / 2)));
            return null;
        });
        // the second job starts from other weights, resumes from the file, and finishes
        List<double[]> ranks = Ranks.on(Ranks.groups(backend, n, TIMEOUT), g -> {
            Module m = DataParallelCheck.model(77);
            SGD opt = DataParallelCheck.optimizer(m);
            Map<String, String> meta = DistributedCheckpoint.load(g, file, m, opt);
            DistributedDataParallel ddp = new DistributedDataParallel(m, g);
            for (int s = Integer.parseInt(meta.get("step")); s < STEPS; s++) {
                DataParallelCheck.step(ddp, opt, DataParallelCheck.shard(all, g.rank(), n, B, s));
            }
            return DataParallelCheck.flat(m);
        });
        assertClose(expected, ranks.get(0), 2e-6, backend + " resumed");
        assertArrayEquals(ranks.get(0), ranks.get(1));
    }

    @Test
    void aCheckpointThatDoesNotFitChangesNothing(@TempDir Path dir) {
        Path file = dir.resolve("ckpt.safetensors");
        ProcessGroup g = LocalProcessGroup.create(1, TIMEOUT).get(0);
        Module small = new Linear(2, 3);
        DistributedCheckpoint.save(g, file, small, new SGD(small.parameters(), 0.1), Map.of());
        Module other = new Linear(2, 4);
        SGD opt = new SGD(other.parameters(), 0.5);
        double[] before = DataParallelCheck.flat(other);
        assertThrows(IllegalArgumentException.class, () -> DistributedCheckpoint.load(g, file, other, opt));
        assertArrayEquals(before, DataParallelCheck.flat(other));
        assertEquals(0.5, opt.lr(), 0);
        assertNotNull(opt.stateDict());
        g.close();
    }
}

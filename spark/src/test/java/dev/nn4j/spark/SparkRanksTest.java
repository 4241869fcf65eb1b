package dev.nn4j.spark;

import dev.nn4j.distributed.DataParallelCheck;
import dev.nn4j.distributed.DataParallelCheck.Sample;
import dev.nn4j.distributed.DistributedCheckpoint;
import dev.nn4j.distributed.DistributedDataParallel;
import dev.nn4j.nn.Module;
import dev.nn4j.optim.SGD;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data-parallel training launched by Spark's barrier mode on {@code local[2]}: two ranks, each in an executor
 * thread, joined by the TCP ring over loopback, as they would be on two machines.
 */
class SparkRanksTest {
    private static final int N = 2;
    private static final int B = 8;
    private static final int STEPS = 6;
    private static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        SparkConf conf = new SparkConf().setMaster("local[" + N + "]").setAppName("nn4j-spark-test")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        sc = new JavaSparkContext(conf);
    }

    @AfterAll
    static void stop() {
        sc.stop();
    }

    /** Partition r holds rank r's rows, step after step: what each rank trains on. */
    private static JavaRDD<Sample> shards(List<Sample> all) {
        List<Sample> ordered = new ArrayList<>();
        for (int r = 0; r < N; r++) {
            for (int s = 0; s < STEPS; s++) {
                ordered.addAll(DataParallelCheck.shard(all, r, N, B, s));
            }
        }
        return sc.parallelize(ordered, N);
    }

    private static List<Sample> drain(Iterator<Sample> it) {
        List<Sample> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-6, what + " element " + i);
        }
    }

    @Test
    void twoRanksOnSparkTrainLikeOneProcessWithTheirBatchesTogether() {
        List<Sample> all = DataParallelCheck.samples(N * B * STEPS, 21);
        List<double[]> ranks = SparkRanks.run(shards(all), (group, shard) -> {
            List<Sample> mine = drain(shard);
            Module m = DataParallelCheck.model(group.rank() == 0 ? 31 : 99);
            DistributedDataParallel ddp = new DistributedDataParallel(m, group);
            SGD opt = DataParallelCheck.optimizer(ddp);
            for (int s = 0; s < STEPS; s++) {
                DataParallelCheck.step(ddp, opt, mine.subList(s * B, (s + 1) * B));
            }
            return DataParallelCheck.flat(m);
        }, Duration.ofSeconds(60));
        double[] expected = DataParallelCheck.singleProcess(all, N, B, STEPS, 31);
        assertEquals(N, ranks.size());
        assertClose(expected, ranks.get(0), "rank 0");
        assertArrayEquals(ranks.get(0), ranks.get(1), "the replicas drifted apart");
    }

    @Test
    void aRankThatDiesFailsTheJobPromptlyWithItsError() {
        List<Sample> all = DataParallelCheck.samples(N * B * STEPS, 22);
        long start = System.nanoTime();
        Exception e = assertThrows(Exception.class, () -> SparkRanks.run(shards(all), (group, shard) -> {
            List<Sample> mine = drain(shard);
            Module m = DataParallelCheck.model(1);
            DistributedDataParallel ddp = new DistributedDataParallel(m, group);
            SGD opt = DataParallelCheck.optimizer(ddp);
            for (int s = 0; s < STEPS; s++) {
                if (group.rank() == 1 && s == 2) {
                    throw new IllegalStateException("rank 1 died on purpose at step 2");
                }
                DataParallelCheck.step(ddp, opt, mine.subList(s * B, (s + 1) * B));
            }
            return 0;
        }, Duration.ofMinutes(2)));
        double seconds = (System.nanoTime() - start) / 1e9;
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        // Spark reports the rank's own exception: "Job aborted due to stage failure: ... barrier task ...
        // finished unsuccessfully. java.lang.IllegalStateException: rank 1 died on purpose at step 2"
        assertTrue(messages.toString().contains("rank 1 died on purpose"), messages.toString());
        assertTrue(seconds < 60, "the job took " + seconds + " s to fail: it waited for a time-out (2 min)");
    }

    @Test
    void aCheckpointFromRank0ResumesTrainingInANewJob(@TempDir Path dir) {
        List<Sample> all = DataParallelCheck.samples(N * B * STEPS, 23);
        String file = dir.resolve("ckpt.safetensors").toString();
        SparkRanks.run(shards(all), (group, shard) -> {
            List<Sample> mine = drain(shard);
            Module m = DataParallelCheck.model(41);
            DistributedDataParallel ddp = new DistributedDataParallel(m, group);
            SGD opt = DataParallelCheck.optimizer(ddp);
            for (int s = 0; s < STEPS / 2; s++) {
                DataParallelCheck.step(ddp, opt, mine.subList(s * B, (s + 1) * B));
            }
            DistributedCheckpoint.save(group, Path.of(file), m, opt, Map.of("step", String.valueOf(STEPS / 2)));
            return 0;
        });
        List<double[]> ranks = SparkRanks.run(shards(all), (group, shard) -> {
            List<Sample> mine = drain(shard);
            Module m = DataParallelCheck.model(5);
            SGD opt = DataParallelCheck.optimizer(m);
            int from = Integer.parseInt(DistributedCheckpoint.load(group, Path.of(file), m, opt).get("step"));
            DistributedDataParallel ddp = new DistributedDataParallel(m, group);
            for (int s = from; s < STEPS; s++) {
                DataParallelCheck.step(ddp, opt, mine.subList(s * B, (s + 1) * B));
            }
            return DataParallelCheck.flat(m);
        });
        double[] expected = DataParallelCheck.singleProcess(all, N, B, STEPS, 41);
        assertClose(expected, ranks.get(0), "resumed rank 0");
        assertArrayEquals(ranks.get(0), ranks.get(1));
    }
}

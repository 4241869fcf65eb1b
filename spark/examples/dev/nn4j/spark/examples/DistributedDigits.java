package dev.nn4j.spark.examples;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.distributed.DistributedDataParallel;
import dev.nn4j.distributed.ProcessGroup;
import dev.nn4j.examples.Digits;
import dev.nn4j.nn.Functional;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Module;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;
import dev.nn4j.optim.SGD;
import dev.nn4j.spark.SparkRanks;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The digits MLP of nn4j's {@code Training} example, trained data-parallel on Spark: the training rows are an RDD
 * with one partition per rank; each rank trains a replica on its partition with per-rank batches of
 * {@code 32 / ranks}, so the ranks together take the single-process example's steps of 32; rank 0 sends the
 * trained parameters back to the driver, which reports the test accuracy.
 *
 * <p>Arguments: {@code [master] [epochs] [ranks]}, by default {@code local[2] 20 2}; an empty master leaves it to
 * {@code spark-submit}. README.md shows how to run it here and how to submit it to a cluster.
 */
public final class DistributedDigits {
    private static final int GLOBAL_BATCH = 32;

    private DistributedDigits() {
    }

    /** One training image and its label. */
    record Row(float[] pixels, long label) implements Serializable {
    }

    /** What a rank sends back: its mean loss per epoch and, from rank 0, the trained parameters. */
    record Result(double[] epochLoss, LinkedHashMap<String, float[]> state, long millis) implements Serializable {
    }

    static Sequential model() {
        return new Sequential(new Linear(64, 128), new ReLU(), new Linear(128, 10));
    }

    /** Trains on Spark and prints the loss per epoch and the test accuracy. */
    public static void main(String[] args) {
        String master = args.length > 0 ? args[0] : "local[2]";
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int ranks = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        if (ranks < 1 || GLOBAL_BATCH % ranks != 0) {
            throw new IllegalArgumentException("ranks must divide the global batch of " + GLOBAL_BATCH + ", got "
                    + ranks);
        }
        SparkConf conf = new SparkConf().setAppName("nn4j DistributedDigits");
        if (!master.isEmpty()) {
            conf.setMaster(master);
        }
        if (master.startsWith("local")) {
            conf.set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1");
        }
        Digits data = Digits.load(42, 0.2);
        List<Row> rows = rows(data.trainX(), data.trainY());
        int batch = GLOBAL_BATCH / ranks;
        // every rank must take the same number of steps: as many as the smallest partition allows
        int steps = rows.size() / ranks / batch;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            long start = System.nanoTime();
            List<Result> results = SparkRanks.run(sc.parallelize(rows, ranks),
                    (group, shard) -> train(group, shard, epochs, batch, steps));
            double seconds = (System.nanoTime() - start) / 1e9;
            double[] loss = results.get(0).epochLoss();
            for (int e = 0; e < loss.length; e++) {
                System.out.printf("epoch %2d  loss %.4f%n", e + 1, loss[e]);
            }
            Sequential net = model();
            Map<String, Tensor> state = new LinkedHashMap<>();
            results.get(0).state().forEach((k, v) -> state.put(k, Tensor.of(v, net.stateDict().get(k).shape())));
            net.loadStateDict(state);
            net.eval();
            System.out.printf("%d ranks x batch %d, %d steps per epoch: training took %.1f s (%.1f s in the ranks)%n",
                    ranks, batch, steps, seconds, results.get(0).millis() / 1e3);
            System.out.printf("test accuracy: %.1f%% on %d images%n", 100 * accuracy(net, data.testX(),
                    data.testY()), data.testY().shape()[0]);
        }
    }

    /** One rank: a replica, its shard shuffled each epoch, the gradients averaged by the wrapper. */
    static Result train(ProcessGroup group, Iterator<Row> shard, int epochs, int batch, int steps) {
        long start = System.nanoTime();
        List<Row> mine = new ArrayList<>();
        shard.forEachRemaining(mine::add);
        Rng.manualSeed(42); // any seed: the wrapper copies rank 0's parameters to every rank
        Sequential net = model();
        DistributedDataParallel ddp = new DistributedDataParallel(net, group);
        SGD opt = new SGD(ddp.parameters(), 0.05).momentum(0.9);
        double[] epochLoss = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            int[] order = Digits.permutation(mine.size(), 1000L * e + group.rank());
            double sum = 0;
            for (int s = 0; s < steps; s++) {
                Tensor[] xy = batch(mine, order, s * batch, batch);
                opt.zeroGrad();
                Tensor loss = Functional.crossEntropy(ddp.call(xy[0]), xy[1]);
                loss.backward();
                opt.step();
                sum += loss.item();
            }
            double[] mean = {sum / steps};
            group.allReduce(mean, 0, 1); // the loss over every rank's batches, for the report
            epochLoss[e] = mean[0] / group.worldSize();
        }
        LinkedHashMap<String, float[]> state = null;
        if (group.rank() == 0) {
            state = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> p : net.stateDict().entrySet()) {
                double[] v = p.getValue().storage().toDoubleArray();
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    f[i] = (float) v[i];
                }
                state.put(p.getKey(), f);
            }
        }
        return new Result(epochLoss, state, (System.nanoTime() - start) / 1_000_000);
    }

    private static Tensor[] batch(List<Row> rows, int[] order, int from, int size) {
        float[] x = new float[size * 64];
        long[] y = new long[size];
        for (int i = 0; i < size; i++) {
            Row r = rows.get(order[from + i]);
            System.arraycopy(r.pixels(), 0, x, i * 64, 64);
            y[i] = r.label();
        }
        return new Tensor[] {Tensor.of(x, size, 64), Tensor.of(y, size)};
    }

    private static List<Row> rows(Tensor images, Tensor labels) {
        double[] x = images.storage().toDoubleArray();
        double[] y = labels.storage().toDoubleArray();
        List<Row> out = new ArrayList<>(y.length);
        for (int i = 0; i < y.length; i++) {
            float[] p = new float[64];
            for (int j = 0; j < 64; j++) {
                p[j] = (float) x[i * 64 + j];
            }
            out.add(new Row(p, (long) y[i]));
        }
        return out;
    }

    private static double accuracy(Module net, Tensor images, Tensor labels) {
        double[] logits = net.call(images).storage().toDoubleArray();
        double[] y = labels.storage().toDoubleArray();
        int right = 0;
        for (int i = 0; i < y.length; i++) {
            int best = 0;
            for (int c = 1; c < 10; c++) {
                best = logits[i * 10 + c] > logits[i * 10 + best] ? c : best;
            }
            right += best == (int) y[i] ? 1 : 0;
        }
        return (double) right / y.length;
    }
}

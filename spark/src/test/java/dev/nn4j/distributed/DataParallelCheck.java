package dev.nn4j.distributed;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Functional;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Module;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;
import dev.nn4j.optim.SGD;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The proof that data parallelism changes nothing: N ranks with per-rank batch b train to the same parameters as
 * one process with batch N*b. A small MLP, cross-entropy, SGD with momentum (so the optimizer's state matters).
 */
public final class DataParallelCheck implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int FEATURES = 6;
    static final int CLASSES = 3;

    private DataParallelCheck() {
    }

    /** One training example. */
    public record Sample(float[] x, long y) implements Serializable {
    }

    /** The model every run trains, initialized from {@code seed}. */
    public static Module model(long seed) {
        synchronized (Rng.class) { // ranks sharing a JVM share the generator: build each model in one go
            Rng.manualSeed(seed);
            return new Sequential(new Linear(FEATURES, 16), new ReLU(), new Linear(16, CLASSES));
        }
    }

    public static SGD optimizer(Module m) {
        return new SGD(m.parameters(), 0.1).momentum(0.9);
    }

    /** {@code n} deterministic samples. */
    public static List<Sample> samples(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                x[j] = (float) (rnd.nextDouble() * 2 - 1);
            }
            out.add(new Sample(x, (x[0] + x[1] > 0 ? 1 : 0) + (x[2] > 0.5 ? 1 : 0)));
        }
        return out;
    }

    /** A batch of {@code samples}: inputs and targets. */
    public static Tensor[] batch(List<Sample> samples) {
        float[] x = new float[samples.size() * FEATURES];
        long[] y = new long[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            System.arraycopy(samples.get(i).x(), 0, x, i * FEATURES, FEATURES);
            y[i] = samples.get(i).y();
        }
        return new Tensor[] {Tensor.of(x, samples.size(), FEATURES), Tensor.of(y, samples.size())};
    }

    /** One step on a batch: forward, mean cross-entropy, backward, update. Returns the loss. */
    public static double step(Module m, SGD opt, List<Sample> batch) {
        Tensor[] xy = batch(batch);
        opt.zeroGrad();
        Tensor loss = Functional.crossEntropy(m.call(xy[0]), xy[1]);
        loss.backward();
        opt.step();
        return loss.item();
    }

    /** The parameters as one flat float64 array, in state-dict order. */
    public static double[] flat(Module m) {
        List<Double> out = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
            for (double v : e.getValue().storage().toDoubleArray()) {
                out.add(v);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * What one rank trains on in {@code steps} steps: rank {@code r} of {@code n}, batch {@code b}, takes rows
     * {@code [r*b, (r+1)*b)} of each global batch of {@code n*b} rows, so the ranks' batches together make the
     * single process's batch.
     */
    public static List<Sample> shard(List<Sample> all, int rank, int n, int b, int step) {
        int from = step * n * b + rank * b;
        return all.subList(from, from + b);
    }

    /** The single-process run: batches of {@code n*b} rows, from the model of {@code seed}. */
    public static double[] singleProcess(List<Sample> all, int n, int b, int steps, long seed) {
        Module m = model(seed);
        SGD opt = optimizer(m);
        for (int s = 0; s < steps; s++) {
            step(m, opt, all.subList(s * n * b, (s + 1) * n * b));
        }
        return flat(m);
    }
}

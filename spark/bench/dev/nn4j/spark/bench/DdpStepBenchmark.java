package dev.nn4j.spark.bench;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.distributed.DistributedDataParallel;
import dev.nn4j.distributed.ProcessGroup;
import dev.nn4j.nn.Functional;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Module;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;
import dev.nn4j.optim.SGD;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A training step (forward, cross entropy, backward, SGD with momentum) of one process against the same step as
 * rank 0 of two data-parallel ranks over the loopback ring, each rank on one thread with the per-rank batch:
 * {@code ddp - single} is what averaging the gradients costs per step, and {@code single2x / ddp} the speed-up
 * over one process taking the whole global batch.
 *
 * <p>Models: {@code digits} is the examples' MLP (64→128→10, 9.6 K parameters: latency-bound), {@code wide}
 * 784→1024→1024→10 (1.9 M parameters, 7.5 MB of gradients: bandwidth-bound).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-XX:+AlwaysPreTouch"})
public class DdpStepBenchmark {
    @Param({"digits", "wide"})
    public String model;

    /** The per-rank batch. */
    @Param({"32"})
    public int batch;

    private Step single;
    private Step single2x;
    private Step ddp;
    private LoopbackRing ring;

    /** One model, optimizer and batch. */
    private static final class Step {
        final Module net;
        final SGD opt;
        final Tensor x;
        final Tensor y;

        Step(Module net, long inputs, int batch) {
            this.net = net;
            this.opt = new SGD(net.parameters(), 0.01).momentum(0.9);
            this.x = Tensor.rand(batch, inputs);
            long[] labels = new long[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = i % 10;
            }
            this.y = Tensor.of(labels, batch);
        }

        double run() {
            opt.zeroGrad();
            Tensor loss = Functional.crossEntropy(net.call(x), y);
            loss.backward();
            opt.step();
            return loss.item();
        }
    }

    private Module build() {
        Rng.manualSeed(1);
        return model.equals("digits") ? new Sequential(new Linear(64, 128), new ReLU(), new Linear(128, 10))
                : new Sequential(new Linear(784, 1024), new ReLU(), new Linear(1024, 1024), new ReLU(),
                        new Linear(1024, 10));
    }

    private long inputs() {
        return model.equals("digits") ? 64 : 784;
    }

    @Setup(Level.Trial)
    public void setUp() {
        single = new Step(build(), inputs(), batch);
        single2x = new Step(build(), inputs(), 2 * batch);
        Step[] partner = new Step[1];
        ring = new LoopbackRing(g -> partner[0] = new Step(ddp(build(), g), inputs(), batch),
                g -> partner[0].run());
        ddp = new Step(ddp(build(), ring.rank0), inputs(), batch);
    }

    private static Module ddp(Module m, ProcessGroup g) {
        return new DistributedDataParallel(m, g);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        ring.close();
    }

    @Benchmark
    public double single() {
        return single.run();
    }

    @Benchmark
    public double single2x() {
        return single2x.run();
    }

    @Benchmark
    public double ddp() {
        return ddp.run();
    }
}

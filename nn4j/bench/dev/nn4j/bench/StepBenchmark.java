package dev.nn4j.bench;

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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Training steps and inference of the three MLPs, in nn4j, in hand-written ND4J, on nn4j's bare kernels, and in
 * DL4J, and the time of their matrix products alone ({@link GemmFloor}). One thread (OMP_NUM_THREADS=1, set by bench/run.sh); time per call, sampled.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// The heap is pre-touched so that the steady state is measured: otherwise the JVM keeps faulting in fresh heap
// pages for as long as a young generation of up to ~2 GB takes to fill once, which on this machine added ~90 µs
// to a mid step for the whole measurement (it applies to every JVM column alike).
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-XX:+AlwaysPreTouch", "--add-modules", "jdk.incubator.vector"})
public class StepBenchmark {
    @Param({"tiny", "mid", "big"})
    public String size;

    private Nn4jStep nn4j;
    private Nd4jStep nd4j;
    private KernelStep kernels;
    private Dl4jStep dl4j;
    private GemmFloor gemms;

    @Setup(Level.Trial)
    public void setUp() {
        Sizes s = Sizes.valueOf(size);
        nn4j = new Nn4jStep(s);
        nd4j = new Nd4jStep(s);
        kernels = new KernelStep(s);
        dl4j = new Dl4jStep(s);
        gemms = new GemmFloor(s);
    }

    @Benchmark
    public double nn4jTrain() {
        return nn4j.train();
    }

    @Benchmark
    public Object nn4jInfer() {
        return nn4j.infer();
    }

    @Benchmark
    public double nd4jTrain() {
        return nd4j.train();
    }

    @Benchmark
    public Object nd4jInfer() {
        return nd4j.infer();
    }

    @Benchmark
    public double kernelsTrain() {
        return kernels.train();
    }

    @Benchmark
    public void dl4jTrain() {
        dl4j.train();
    }

    @Benchmark
    public Object dl4jInfer() {
        return dl4j.infer();
    }

    @Benchmark
    public float gemmFloorTrain() {
        return gemms.train();
    }

    @Benchmark
    public float gemmFloorInfer() {
        return gemms.infer();
    }
}

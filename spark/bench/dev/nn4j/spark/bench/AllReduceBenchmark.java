package dev.nn4j.spark.bench;

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
 * The TCP ring's all-reduce between two ranks over loopback: time per call for buffers of 4 KB to 25 MB (PyTorch
 * DDP's default bucket). Throughput = bytes / time (bench/run.sh prints it in MB/s).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class AllReduceBenchmark {
    /** Float32 elements: 4 KB, 1 MB, 25 MB. */
    @Param({"1024", "262144", "6553600"})
    public int floats;

    private LoopbackRing ring;
    private float[] mine;

    @Setup(Level.Trial)
    public void setUp() {
        mine = new float[floats]; // zeros stay zeros: every call sums the same values
        float[] theirs = new float[floats];
        ring = new LoopbackRing(g -> { }, g -> g.allReduce(theirs, 0, theirs.length));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        ring.close();
    }

    @Benchmark
    public float[] allReduce() {
        ring.rank0.allReduce(mine, 0, mine.length);
        return mine;
    }
}

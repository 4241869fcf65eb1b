package dev.nn4j.bench;

import dev.nn4j.core.Tensor;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where ND4J's native elementwise ops would overtake nn4j's Java loops: an add and a sum of {@code n} floats,
 * in nn4j (Java loops over heap arrays) and in ND4J (a new result, and in place into a preallocated one, its
 * best case). One thread, as the rest of the suite.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-XX:+AlwaysPreTouch", "--add-modules", "jdk.incubator.vector"})
public class CrossoverBenchmark {
    @Param({"1000", "10000", "100000", "1000000", "4000000"})
    public int n;

    private Tensor a;
    private Tensor b;
    private INDArray na;
    private INDArray nb;
    private INDArray nout;

    @Setup
    public void setUp() {
        a = Tensor.rand(n).mul(1.0); // op results: heap-held, as activations are
        b = Tensor.rand(n).mul(1.0);
        na = Nd4j.rand(DataType.FLOAT, n);
        nb = Nd4j.rand(DataType.FLOAT, n);
        nout = Nd4j.create(DataType.FLOAT, n);
    }

    @Benchmark
    public Tensor nn4jAdd() {
        return a.add(b);
    }

    @Benchmark
    public INDArray nd4jAdd() {
        return na.add(nb);
    }

    @Benchmark
    public INDArray nd4jAddInto() {
        return na.addi(nb, nout);
    }

    @Benchmark
    public double nn4jSum() {
        return a.sum().item();
    }

    @Benchmark
    public double nd4jSum() {
        return na.sumNumber().doubleValue();
    }
}

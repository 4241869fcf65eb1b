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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Single ops: a [2,20] add and a [2,20]x[20,256] matmul, in nn4j and through ND4J's API. */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-XX:+AlwaysPreTouch", "--add-modules", "jdk.incubator.vector"})
public class OpBenchmark {
    private final Tensor a = Tensor.rand(2, 20);
    private final Tensor b = Tensor.rand(2, 20);
    private final Tensor w = Tensor.rand(20, 256);
    private final INDArray na = Nd4j.rand(DataType.FLOAT, 2, 20);
    private final INDArray nb = Nd4j.rand(DataType.FLOAT, 2, 20);
    private final INDArray nw = Nd4j.rand(DataType.FLOAT, 20, 256);

    @Benchmark
    public Tensor nn4jAdd() {
        return a.add(b);
    }

    @Benchmark
    public Tensor nn4jMatmul() {
        return a.matmul(w);
    }

    @Benchmark
    public INDArray nd4jAdd() {
        return na.add(nb);
    }

    @Benchmark
    public INDArray nd4jMatmul() {
        return na.mmul(nw);
    }
}

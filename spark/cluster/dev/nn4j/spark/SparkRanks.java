package dev.nn4j.spark;

import dev.nn4j.distributed.TcpRingProcessGroup;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Runs a data-parallel job on Spark: one rank per partition of the data, launched together in a barrier stage
 * ({@code rdd.barrier().mapPartitions}), so either every rank gets a slot or none starts. Each rank binds a free
 * port, the ranks exchange their addresses once ({@code BarrierTaskContext.allGather}), and from then on they talk
 * over their own TCP ring ({@link TcpRingProcessGroup}); Spark carries no gradient.
 * Spark's own counterpart for PyTorch: {@code pyspark.ml.torch.distributor.TorchDistributor}.
 *
 * <p>A rank that throws fails the job: its connections close, so the other ranks fail at once instead of waiting,
 * and Spark reports the first failure. The cluster needs as many free task slots as there are partitions (Spark
 * refuses a barrier stage it cannot schedule whole); dynamic allocation must be off.
 */
public final class SparkRanks {
    /** PyTorch's and Spark's barrier time-outs are far longer; a step of a data-parallel job far shorter. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private SparkRanks() {
    }

    /** {@link #run(JavaRDD, RankFunction, Duration)} with {@link #DEFAULT_TIMEOUT}. */
    public static <T, R> List<R> run(JavaRDD<T> data, RankFunction<T, R> fn) {
        return run(data, fn, DEFAULT_TIMEOUT);
    }

    /**
     * Runs {@code fn} as rank {@code i} on partition {@code i} of {@code data}, all partitions at once, and
     * returns what each rank returned, in rank order.
     *
     * @param timeout for the ring to form and for every collective (a rank silent this long fails the job)
     * @throws org.apache.spark.SparkException (unchecked in Java) when a rank fails, with its cause
     */
    public static <T, R> List<R> run(JavaRDD<T> data, RankFunction<T, R> fn, Duration timeout) {
        @SuppressWarnings("unchecked")
        ClassTag<R> tag = (ClassTag<R>) ClassTag$.MODULE$.apply(Object.class);
        RDD<R> out = data.rdd().barrier().mapPartitions(new Rank<>(fn, timeout.toMillis()), false, tag);
        return new ArrayList<>(out.toJavaRDD().collect());
    }

    /** The task of one rank: join the ring, run the function, leave the ring whatever happens. */
    private static final class Rank<T, R> extends AbstractFunction1<scala.collection.Iterator<T>,
            scala.collection.Iterator<R>> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final RankFunction<T, R> fn;
        private final long timeoutMillis;

        Rank(RankFunction<T, R> fn, long timeoutMillis) {
            this.fn = fn;
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public scala.collection.Iterator<R> apply(scala.collection.Iterator<T> partition) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            int rank = ctx.partitionId();
            Duration timeout = Duration.ofMillis(timeoutMillis);
            R result;
            try (ServerSocketChannel listener = ServerSocketChannel.open()) {
                listener.socket().setReuseAddress(true);
                listener.bind(new InetSocketAddress(0)); // every interface: the peers reach it by the executor's host
                String host = hostOf(ctx.getTaskInfos()[rank].address());
                String[] all = ctx.allGather(host + ":" + listener.socket().getLocalPort());
                List<InetSocketAddress> ranks = new ArrayList<>(all.length);
                for (String a : all) {
                    int colon = a.lastIndexOf(':');
                    ranks.add(new InetSocketAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
                }
                try (TcpRingProcessGroup group = TcpRingProcessGroup.connect(rank, ranks, listener, timeout)) {
                    Iterator<T> shard = CollectionConverters.asJava(partition);
                    try {
                        result = fn.run(group, shard);
                    } catch (Exception | Error e) {
                        // the others' errors will carry this one: Spark reports whichever task failure it
                        // handles first, often a rank that only lost its connection to this one
                        group.abort(e);
                        throw e;
                    }
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("rank " + rank + " failed: " + e, e);
            }
            return CollectionConverters.asScala(java.util.Collections.singletonList(result).iterator());
        }

        /** The host part of an executor's {@code host:port} address (IPv6 hosts come in brackets). */
        private static String hostOf(String address) {
            int colon = address.lastIndexOf(':');
            String host = colon > 0 ? address.substring(0, colon) : address;
            return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        }
    }
}

/**
 * Launching data-parallel training on Apache Spark: {@link dev.nn4j.spark.SparkRanks} runs one rank per partition
 * of an RDD in a barrier stage, so the ranks start together (or not at all), and joins them in a
 * {@link dev.nn4j.distributed.TcpRingProcessGroup}. PyTorch's counterpart is a launcher ({@code torchrun}); Spark's
 * is {@code TorchDistributor}, which this resembles.
 */
package dev.nn4j.spark;

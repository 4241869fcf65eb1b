#!/usr/bin/env bash
# Runs the distributed benchmarks (JMH, bench/ of this module): the TCP ring's all-reduce between two ranks over
# loopback, and a training step of one process against rank 0 of two data-parallel ranks. One thread per rank
# (OMP_NUM_THREADS=1), so two ranks use the machine's two cores. Extra arguments go to JMH.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -DskipTests install -pl nn4j -am
mvn -q -Pbench -DskipTests compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -pl spark
CP="spark/target/classes:$(cat spark/target/bench.cp)"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
java -cp "$CP" org.openjdk.jmh.Main -rf json -rff spark/target/jmh.json "$@" 'dev.nn4j.spark.bench.*'
python3 spark/bench/report.py spark/target/jmh.json

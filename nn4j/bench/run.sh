#!/usr/bin/env bash
# Runs the JMH suite (nn4j, hand-written ND4J, nn4j's bare kernels, DL4J), then the PyTorch counterpart, one
# after another on one thread, prints medians and ratios, then the memory soak. Needs Debian's python3-torch
# with OpenBLAS selected as its BLAS (apt-get install python3-torch libopenblas0-pthread).
# Extra arguments go to JMH, e.g. bench/run.sh -p size=tiny
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -Pnative,bench -DskipTests compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp
CP="target/classes:$(cat target/bench.cp)"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
java -cp "$CP" org.openjdk.jmh.Main -rf json -rff target/jmh.json "$@" 'dev.nn4j.bench.*'
/usr/bin/python3 bench/pytorch_bench.py > target/pytorch.json
# OpenBLAS picks its kernels from the CPU unless this variable names a core; every library here obeys it
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-<unset: detected from the CPU>}"
python3 bench/report.py target/jmh.json target/pytorch.json
java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -cp "$CP" dev.nn4j.bench.MemorySoak 10000

"""Prints the distributed benchmarks' medians: all-reduce throughput and the data-parallel step's overhead."""
import json
import sys

rows = json.load(open(sys.argv[1]))
med = {}
for r in rows:
    name = r["benchmark"].rsplit(".", 1)[1]
    params = r.get("params", {})
    key = (r["benchmark"].split(".")[-2], name, tuple(sorted(params.items())))
    med[key] = r["primaryMetric"]["scorePercentiles"]["50.0"]

print("| all-reduce, 2 ranks, loopback | median µs | MB/s |")
print("| --- | ---: | ---: |")
for (cls, name, params), us in sorted(med.items(), key=lambda kv: int(dict(kv[0][2]).get("floats", 0))):
    if cls != "AllReduceBenchmark":
        continue
    n = int(dict(params)["floats"])
    mb = n * 4 / 1e6
    print(f"| {n * 4 / 1024:,.0f} KB | {us:,.1f} | {mb / (us / 1e6):,.0f} |")

print()
print("| step (µs, median) | one process, batch b | rank 0 of 2, batch b each | one process, batch 2b "
      "| overhead per step | speed-up over 2b |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
models = sorted({dict(p)["model"] for (c, n, p) in med if c == "DdpStepBenchmark"})
for m in models:
    get = {n: us for (c, n, p), us in med.items() if c == "DdpStepBenchmark" and dict(p)["model"] == m}
    b = [dict(p)["batch"] for (c, n, p) in med if c == "DdpStepBenchmark"][0]
    s, d, s2 = get["single"], get["ddp"], get["single2x"]
    print(f"| {m} (b={b}) | {s:,.1f} | {d:,.1f} | {s2:,.1f} | {d - s:,.1f} | {s2 / d:.2f}x |")

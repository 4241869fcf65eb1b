"""Table of median microseconds and ratios from a JMH JSON result and pytorch_bench.py's JSON."""
import json
import sys


def main(jmh_path, torch_path):
    jmh = json.load(open(jmh_path))
    torch = json.load(open(torch_path))
    med = {}
    for r in jmh:
        name = r["benchmark"].rsplit(".", 1)[1]
        params = r.get("params", {})
        size = params.get("size") or params.get("model") or ("n=" + params["n"] if "n" in params else "op")
        med[(size, name)] = r["primaryMetric"]["scorePercentiles"]["50.0"]
    print(f"PyTorch {torch['torch_version']} ({torch.get('blas', '?')}), {torch['threads']} thread; "
          "median microseconds per call")
    print(f"{'':>14} {'nn4j':>10} {'kernels':>10} {'ND4J':>10} {'DL4J':>10} {'PyTorch':>10} {'gemms':>10} "
          f"{'nn4j/PT':>8} {'DL4J/nn4j':>9} {'nn4j/kern':>9} {'DL4J/gemms':>10}")
    for size in ("tiny", "mid", "big"):
        for kind in ("Train", "Infer"):
            n = med.get((size, "nn4j" + kind))
            k = med.get((size, "kernels" + kind))
            d = med.get((size, "nd4j" + kind))
            dl = med.get((size, "dl4j" + kind))
            pt = torch.get(f"{size}_{kind.lower()}")
            g = med.get((size, "gemmFloor" + kind))

            def f(v):
                return f"{v:10.1f}" if v is not None else f"{'-':>10}"

            def ratio(a, b):
                return f"{a / b:8.2f}" if a and b else f"{'-':>8}"
            print(f"{size + ' ' + kind.lower():>14} {f(n)} {f(k)} {f(d)} {f(dl)} {f(pt)} {f(g)} {ratio(n, pt)} "
                  f"{ratio(dl, n):>9} {ratio(n, k):>9} {ratio(dl, g):>10}")
    print("gemms: the step's matrix products alone (bare cblas_sgemm, preallocated); DL4J/gemms below 3 means no "
          "implementation on this BLAS and thread count can be 3x faster than DL4J")
    cnn = [(m, med.get((m, "nn4jTrain")), torch.get(m + "_train"), med.get((m, "gemmFloorTrain")))
           for m in ("lenet", "resnet")]
    if any(n for _, n, _, _ in cnn):
        print(f"{'CNN train step':>14} {'nn4j':>10} {'PyTorch':>10} {'gemms':>10} {'nn4j/PT':>8} {'nn4j/gemms':>10}")
        for m, n, pt, g in cnn:
            def f(v):
                return f"{v:10.1f}" if v is not None else f"{'-':>10}"
            r1 = f"{n / pt:8.2f}" if n and pt else f"{'-':>8}"
            r2 = f"{n / g:10.2f}" if n and g else f"{'-':>10}"
            print(f"{m:>14} {f(n)} {f(pt)} {f(g)} {r1} {r2}")
        print("CNN steps: lenet = d2l LeNet-BN, batch 64 of 1x28x28; resnet = stem + 3 residual blocks of 32 channels, "
              "batch 32 of 3x32x32; SGD momentum 0.9, cross entropy; gemms = the per-image convolution gemms alone")
    seq = [(m, med.get((m, "nn4jTrain")), torch.get(m + "_train")) for m in ("lstm", "transformer")]
    if any(n for _, n, _ in seq):
        print(f"{'seq train step':>14} {'nn4j':>10} {'PyTorch':>10} {'nn4j/PT':>8}")
        for m, n, pt in seq:
            r = f"{n / pt:8.2f}" if n and pt else f"{'-':>8}"
            print(f"{m:>14} {n or 0:10.1f} {pt or 0:10.1f} {r}")
    for op, key in (("add [2,20]", "Add"), ("mm [2,20]x[20,256]", "Matmul")):
        n = med.get(("op", "nn4j" + key))
        d = med.get(("op", "nd4j" + key))
        pt = torch["op_add_2x20" if key == "Add" else "op_matmul_2x20x256"]
        if n is None or d is None:
            continue  # a partial run (JMH filtered to other benchmarks)
        print(f"{op:>20}: nn4j {n:.2f}  ND4J {d:.2f}  PyTorch {pt:.2f}  nn4j/PT {n / pt:.2f}")
    sizes = sorted({int(k[0][2:]) for k in med if k[0].startswith("n=")})
    if sizes:
        print("elementwise crossover (floats; us): n, nn4j add, ND4J add, ND4J add into, nn4j sum, ND4J sum")
        for n in sizes:
            row = [med.get((f"n={n}", b)) for b in ("nn4jAdd", "nd4jAdd", "nd4jAddInto", "nn4jSum", "nd4jSum")]
            print(f"{n:>10} " + " ".join(f"{v:10.2f}" if v is not None else f"{'-':>10}" for v in row))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

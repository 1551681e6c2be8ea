#!/usr/bin/env bash
# Dsl.Torch's overhead: TorchScorer.Score against TorchSharp called directly on the same buffers (TorchBench), on an MLP
# of 30 features, two hidden layers of 64 (ReLU) and a sigmoid, saved by Debian's PyTorch (tests/tools/scoring/
# torch-models.py), over BATCHES batches of ROWS rows, RUNS rounds interleaved, one torch thread. Prints each variant's
# min and median seconds and rows/s, the direct variant again without MKL_CBWR=AUTO, and the scorer's overhead.
#   tests/Dsl.Benchmarks/scoring/compare-torch.sh [BATCHES=16] [RUNS=15] [ROWS=65536]
set -euo pipefail
batches=${1:-16}
runs=${2:-15}
rows=${3:-65536}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cd "$repo"
bash tests/tools/install-python-deps.sh
work=$(mktemp -d /tmp/dsl-torch-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 tests/tools/scoring/torch-models.py mlp "$work/mlp.pt" 30 64 1
dotnet build -c Release "$here/TorchBench/TorchBench.csproj" -v:q -nologo -o "$work/bench" >/dev/null
"$work/bench/TorchBench" "$work/mlp.pt" "$batches" "$runs" "$rows" > "$work/results.jsonl"
"$work/bench/TorchBench" "$work/mlp.pt" "$batches" "$runs" "$rows" plain-mkl >> "$work/results.jsonl"
/usr/bin/python3 - "$work/results.jsonl" <<'PY'
import json, statistics, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
times = {}
for l in lines:
    if "variant" in l:
        times.setdefault(l["variant"], []).append(l)
for l in lines:
    if "differ" in l and l["differ"] >= 0:
        print(f"dsl and direct outputs differing: {l['differ']}; torch threads: {l['torchThreads']}")
best = {}
for variant, ls in times.items():
    rows = ls[0]["rows"]
    s = [l["seconds"] for l in ls]
    best[variant] = (min(s), statistics.median(s))
    print(f"{variant:18} min {min(s):.4f} s ({rows / min(s):,.0f} rows/s)  median {statistics.median(s):.4f} s ({rows / statistics.median(s):,.0f} rows/s)")
d, r = best["dsl"], best["direct"]
print(f"dsl over direct: {100 * (d[0] / r[0] - 1):+.1f}% at the min, {100 * (d[1] / r[1] - 1):+.1f}% at the median")
p = best["direct-plain-mkl"]
print(f"MKL_CBWR=AUTO over MKL's default: {100 * (r[0] / p[0] - 1):+.1f}% at the min, {100 * (r[1] / p[1] - 1):+.1f}% at the median")
PY

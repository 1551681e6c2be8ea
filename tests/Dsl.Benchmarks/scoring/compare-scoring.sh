#!/usr/bin/env bash
# Batch scoring, side by side on this machine: the benchmark's models (200 trees of depth 6 over 30 features, one
# XGBoost, one LightGBM) scoring ROWS rows with each library's own predict (XGBoost's inplace_predict, LightGBM's
# LGBM_BoosterPredictForMat), ONNX Runtime on the XGBoost trees as an ONNX tree ensemble, and Dsl's compiled models
# (the score stage's kernel, the model class called per row, the same trees as flat arrays), at 1 and 2 threads, RUNS rounds interleaved. Prints min and median seconds,
# rows/s and each Dsl variant's speed over its model's library. docs/benchmarks/scoring.md has the figures.
#   tests/Dsl.Benchmarks/scoring/compare-scoring.sh [ROWS=1000000] [RUNS=3]
#   VARIANTS="kernel-xgb kernel-lgb" tests/Dsl.Benchmarks/scoring/compare-scoring.sh   (a subset of ScoringBench's variants)
set -euo pipefail
rows=${1:-1000000}
runs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cd "$repo"
bash tests/tools/install-python-deps.sh
work=$(mktemp -d /tmp/dsl-scoring.XXXXXX)
trap 'rm -rf "$work"' EXIT
models="$here/ScoringBench/models"
mkdir -p "$models"

# lib_lightgbm comes from the LightGBM package, which the test support library restores.
dotnet restore tests/Dsl.Testing/Dsl.Testing.csproj -v:q -nologo >/dev/null
export LIB_LIGHTGBM="${NUGET_PACKAGES:-$HOME/.nuget/packages}/lightgbm/4.7.0/runtimes/linux-x64/native/lib_lightgbm.so"
export MODELS="$models"
echo "compare-scoring: training the models (200k rows) and making $rows rows to score in $work" >&2
/usr/bin/python3 "$here/libraries.py" train "$work" "$models" "$rows"
# ONNX Runtime's row: the same XGBoost trees as an ONNX tree ensemble.
/usr/bin/python3 "$repo/tests/tools/scoring/onnx-models.py" xgboost "$models/xgb.json" "$work/xgb.onnx" >/dev/null

# The score stages compile the models at build time, so the models exist before the build.
dotnet build -c Release "$repo/sdk/Dsl.Sdk.Tasks/Dsl.Sdk.Tasks.csproj" -v:q -nologo >/dev/null
dotnet build -c Release "$here/ScoringBench/ScoringBench.csproj" -v:q -nologo -o "$work/bench" >/dev/null

results="$work/results.jsonl"
for ((run = 1; run <= runs; run++)); do
    for threads in 1 2; do
        /usr/bin/python3 "$here/libraries.py" time "$work" "$threads" >> "$results"
        for variant in ${VARIANTS:-kernel-xgb direct-xgb flat-xgb kernel-lgb direct-lgb flat-lgb}; do
            "$work/bench/ScoringBench" "$work" "$variant" "$threads" >> "$results"
        done
    done
    echo "compare-scoring: round $run of $runs done" >&2
done

/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
groups = {}
for l in lines:
    groups.setdefault((l["library"], l["threads"]), []).append(l)
print("| scorer | threads | min s | median s | rows/s (median) | its library's median time / this median | values that differ from the library's |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for threads in (1, 2):
    library = {lib: statistics.median(x["seconds"] for x in v) for (lib, t), v in groups.items() if t == threads and lib in ("xgboost", "lightgbm")}
    for (lib, t), v in sorted(groups.items()):
        if t != threads:
            continue
        s = [x["seconds"] for x in v]
        med = statistics.median(s)
        own = library["xgboost" if lib.endswith("xgb") or lib == "xgboost" else "lightgbm"]  # onnx-xgb: against XGBoost
        differ = v[0].get("differFromLibrary", "")
        print(f"| {lib} | {t} | {min(s):.3f} | {med:.3f} | {v[0]['rows'] / med:,.0f} | {own / med:.2f}x | {differ} |")
PY

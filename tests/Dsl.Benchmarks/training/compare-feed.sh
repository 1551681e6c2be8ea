#!/usr/bin/env bash
# The training feed's speed (docs/benchmarks/training.md). Generates ROWS sample transactions (4 files), runs the sample
# pipeline over them (row groups of 65,536 rows), then with FeedBench:
#   1. rows/s delivered into row-major float32 batches to a consumer that touches one value per batch, RUNS rounds
#      interleaved after a warm-up round that checksums every value: Dsl's feed (shuffled, 1 and 2 decode threads;
#      also in the manifest's order; also as TorchSharp tensors) against ML.NET's binary IDV loader and TextLoader (CSV)
#      over the same rows, ML.NET reading the Parquet output through Dsl.MLNet's DslDataView (1 and 2 cursors), and
#      DuckDB reading the same Parquet files (threads 1 and 2); batches of 4,096, and the feed
#      alone at 512;
#   2. a TorchSharp MLP (6 → 64 → 64 → 1, Adam, BCEWithLogits, one torch thread) trained one epoch per round from the
#      feed and from the same rows in memory, batches of 512 and 4,096, TRAIN_RUNS rounds after a warm-up epoch.
# Prints min and median per variant, the feed's waits, and the feed's rows/s over the training's.
#   tests/Dsl.Benchmarks/training/compare-feed.sh [ROWS=4350000] [RUNS=5] [TRAIN_RUNS=3]
# READ_VARIANTS / SMALL_VARIANTS override the variants of part 1 (at 4,096 / at 512); RESULTS=FILE keeps the raw lines.
set -euo pipefail
rows=${1:-4350000}
runs=${2:-5}
train_runs=${3:-3}
read_variants=${READ_VARIANTS:-dsl-1 dsl-2 dsl-ordered-1 dsl-ordered-2 dsl-tensors-1 dsl-tensors-2 mlnet-binary-1 mlnet-binary-columns-1 mlnet-dslview-1 mlnet-dslview-2 mlnet-text-1 mlnet-text-2 duckdb-1 duckdb-2 duckdb-streaming-1 duckdb-streaming-2}
small_variants=${SMALL_VARIANTS:-dsl-1 dsl-2 dsl-tensors-1 dsl-tensors-2}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cd "$repo"
work=$(mktemp -d /tmp/dsl-feed-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
dotnet build templates/Dsl.Templates/content/dsl-pipeline/Dsl.Pipeline1.csproj -c Release -v:q -nologo >/dev/null
dotnet build -c Release "$here/FeedBench/FeedBench.csproj" -v:q -nologo -o "$work/bench" >/dev/null
pipeline=artifacts/bin/Dsl.Pipeline1/release/Dsl.Pipeline1.dll
printf 'pipeline: fraud-features\nrowGroupRows: 65536\n' > "$work/pipeline.yaml"
dotnet "$pipeline" generate-sample --rows "$rows" --files 4 --output "$work/data" >/dev/null
dotnet "$pipeline" run --input "$work/data" --output "$work/out" --config "$work/pipeline.yaml" >/dev/null
bench="$work/bench/FeedBench"
"$bench" prepare "$work/out" "$work" > "$work/results.jsonl"
# shellcheck disable=SC2086 # the variant lists are words
"$bench" read "$work/out" "$work" 4096 "$runs" $read_variants >> "$work/results.jsonl"
# shellcheck disable=SC2086
"$bench" read "$work/out" "$work" 512 "$runs" $small_variants >> "$work/results.jsonl"
"$bench" train "$work/out" 512 "$train_runs" >> "$work/results.jsonl"
"$bench" train "$work/out" 4096 "$train_runs" >> "$work/results.jsonl"
echo "machine after: $(uptime | sed 's/.*load average/load average/')"
if [[ -n "${RESULTS:-}" ]]; then
    cp "$work/results.jsonl" "$RESULTS"
fi
/usr/bin/python3 - "$work/results.jsonl" <<'PY'
import json, statistics, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
prep = lines[0]
print(f"{prep['rows']:,} rows in {prep['parts']} parts, {prep['rowGroups']} row groups; Parquet (Snappy) {prep['parquetBytes'] / 1e6:.1f} MB "
      f"(all columns), ML.NET binary file {prep['idvBytes'] / 1e6:.1f} MB, CSV {prep['csvBytes'] / 1e6:.1f} MB; "
      f"the 7 float32 columns are {prep['rows'] * 28 / 1e6:.1f} MB")
groups = {}
for l in lines[1:]:
    groups.setdefault((l["variant"], l["batch"]), []).append(l)
# Every reader's warm-up pass checksummed every value: the same rows give the same sum in any order.
checks = {l["check"] for ls in groups.values() for l in ls if l["round"] < 0 and "check" in l}
print(f"rows checksums of the warm-up passes: {'all equal' if len(checks) == 1 else 'DIFFER: ' + ', '.join(sorted(checks))}")

def timed(key):
    return [l for l in groups[key] if l["round"] >= 0]

def med(key, field):
    return statistics.median(l[field] for l in timed(key))

print("\n1. rows/s delivered (one value touched per batch)")
print("| batch | variant | median s (min) | rows/s at the median (at the min) | feed waits, median ms (first batch) |")
print("| --- | --- | --- | --- | --- |")
for (variant, batch), ls in groups.items():
    if variant.startswith("mlp-"):
        continue
    t = timed((variant, batch))
    s = [l["seconds"] for l in t]
    n = t[0]["rows"]
    waits = f"{med((variant, batch), 'waitMs'):.0f} ({med((variant, batch), 'firstWaitMs'):.0f})" if "waitMs" in t[0] else ""
    cursors = f" ({t[0]['cursors']} cursor{'s' if t[0]['cursors'] > 1 else ''})" if "cursors" in t[0] else ""
    print(f"| {batch} | {variant}{cursors} | {statistics.median(s):.3f} ({min(s):.3f}) | {n / statistics.median(s):,.0f} ({n / min(s):,.0f}) | {waits} |")

def rate(key):
    t = timed(key)
    return t[0]["rows"] / statistics.median(l["seconds"] for l in t)

print("\nthe feed's rows/s over each other reader's, at the medians (batches of 4,096)")
for threads in (1, 2):
    dsl = ("dsl-%d" % threads, 4096)
    if dsl not in groups:
        continue
    others = [k for k in groups if k[1] == 4096 and not k[0].startswith(("dsl", "mlp")) and k[0].endswith(str(threads))]
    print(f"  {threads} thread(s): " + ", ".join(f"{rate(dsl) / rate(k):.2f}x {k[0]}" for k in others))

print("\n2. TorchSharp MLP 6-64-64-1, Adam, BCEWithLogits, one torch thread; one epoch per round")
print("| batch | trained from | median s (min) | steps/s | rows/s | waited after the first batch, median ms (share of the epoch) | first batch, median ms | mean loss, last round |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for (variant, batch), ls in groups.items():
    if not variant.startswith("mlp-"):
        continue
    t = timed((variant, batch))
    s = [l["seconds"] for l in t]
    m = statistics.median(s)
    wait = f"{med((variant, batch), 'waitMs'):.1f} ({100 * statistics.median(l['waitMs'] / 1000 / l['seconds'] for l in t):.2f}%)" if "waitMs" in t[0] else ""
    first = f"{med((variant, batch), 'firstWaitMs'):.1f}" if "firstWaitMs" in t[0] else ""
    print(f"| {batch} | {variant[4:]} | {m:.3f} ({min(s):.3f}) | {t[0]['steps'] / m:,.0f} | {t[0]['rows'] / m:,.0f} | {wait} | {first} | {t[-1]['loss']:.4f} |")
print("\nthe feed's rows/s (part 1, shuffled, one decode thread) over the MLP's training rows/s, at the medians")
for batch in (512, 4096):
    for variant in ("mlp-feed", "mlp-memory"):
        if ("dsl-1", batch) in groups and (variant, batch) in groups:
            print(f"  batch {batch}: {rate(('dsl-1', batch)) / rate((variant, batch)):.1f}x the training from {variant[4:]}")
PY

#!/usr/bin/env bash
# Wall time of the template's sample pipeline on the local executor against --engine dask on a local cluster of
# two workers (runtime/Dsl.Runtime/Dask/dask-cluster.sh) on the same machine, interleaved, with each Dask task's own
# time from its 'done' event; prints one line per run and the min and median of each. Run from the repository root
# after `dotnet build templates/Dsl.Templates/content/dsl-pipeline -c Release`.
#   tests/Dsl.Benchmarks/dask/compare-dask.sh [rows] [files] [runs]
set -euo pipefail
rows=${1:-1000000}
files=${2:-8}
runs=${3:-3}
program=artifacts/bin/Dsl.Pipeline1/release/Dsl.Pipeline1
work=$(mktemp -d /tmp/dsl-dask-bench.XXXXXX)
trap 'runtime/Dsl.Runtime/Dask/dask-cluster.sh stop --dir "$work/cluster" >/dev/null 2>&1; rm -rf "$work"' EXIT
"$program" generate-sample --rows "$rows" --files "$files" --output "$work/in" >/dev/null
"$program" fit --input "$work/in" --fitted-out "$work/fitted.json" >/dev/null
address=$(runtime/Dsl.Runtime/Dask/dask-cluster.sh start --workers 2 --port 18795 --dir "$work/cluster")
seconds() { local start=$(date +%s.%N); "$@" >"$work/last.log" 2>&1; echo "$(date +%s.%N) - $start" | bc; }
local_times=(); dask_times=(); task_times=()
for i in $(seq 1 "$runs"); do
  rm -rf "$work/out-local" "$work/.out-local.dsl" "$work/out-dask" "$work/.out-dask.dsl"
  l=$(seconds "$program" run --input "$work/in" --output "$work/out-local" --fitted "$work/fitted.json" -p 2)
  d=$(seconds "$program" run --engine dask --scheduler "$address" --input "$work/in" --output "$work/out-dask" --fitted "$work/fitted.json" -p 1)
  t=$(grep -oE 'done on [^ ]+ in [0-9.]+ s' "$work/last.log" | awk '{s+=$5; n++} END {printf "%.3f", s/n}')
  echo "run $i: local ${l} s, dask ${d} s, mean task ${t} s over $(grep -c 'done on' "$work/last.log") tasks"
  local_times+=("$l"); dask_times+=("$d"); task_times+=("$t")
done
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "min %.2f s, median %.2f s", a[1], a[int((NR+1)/2)]}'; }
echo "local executor: $(stats "${local_times[@]}")"
echo "dask engine:    $(stats "${dask_times[@]}")"
echo "mean task time: $(stats "${task_times[@]}")"

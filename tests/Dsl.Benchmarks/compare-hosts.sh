#!/usr/bin/env bash
# How the sample pipeline's program is built, measured side by side: the Release build on the JIT (what `dotnet run`
# runs), self-contained ReadyToRun, NativeAOT for the ILCompiler's default instruction set (an empty
# DslInstructionSet), and NativeAOT for x86-64-v3 (AVX2: what DslNativeAot builds on x64). Same input, same fitted
# state (no first pass), Snappy out, 1 and 2 threads; the programs run in turn, round after round; whole process timed
# by /usr/bin/time (wall clock, peak resident set). Results: docs/benchmarks/native-aot.md.
# Usage: tests/Dsl.Benchmarks/compare-hosts.sh [ROWS] [RUNS]     (defaults: 5000000 rows, 3 runs; median and min)
set -euo pipefail
rows="${1:-5000000}"
runs="${2:-3}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
project=templates/Dsl.Templates/content/dsl-pipeline/Dsl.Pipeline1.csproj
rid="$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)"
publish() { dotnet publish -c Release -r "$rid" -p:DslWritePlan=false -o "$work/$1" "$project" -v:q -nologo "${@:2}" >/dev/null; }
dotnet build -c Release "$project" -v:q -nologo >/dev/null
publish r2r --self-contained -p:PublishReadyToRun=true
publish aot-default -p:DslNativeAot=true -p:DslInstructionSet=
publish aot-v3 -p:DslNativeAot=true
declare -A program=(
  [jit]="dotnet $repo/artifacts/bin/Dsl.Pipeline1/release/Dsl.Pipeline1.dll"
  [r2r]="$work/r2r/Dsl.Pipeline1"
  [aot-default]="$work/aot-default/Dsl.Pipeline1"
  [aot-v3]="$work/aot-v3/Dsl.Pipeline1"
)
hosts=(jit r2r aot-default aot-v3)
# shellcheck disable=SC2086 # a program is one word or two (dotnet and the assembly)
${program[jit]} generate-sample --rows "$rows" --files 4 --output "$work/in" >/dev/null
# shellcheck disable=SC2086
${program[jit]} fit --input "$work/in" --fitted-out "$work/fitted.json" >/dev/null

median_min() { sort -g | awk '{ v[NR] = $1 } END { printf "%s / %s", v[int((NR + 1) / 2)], v[1] }'; }
echo "input: $rows rows in 4 Snappy files; $runs runs each, programs in turn; $(nproc) cores; $(date -u +%F)"
echo
echo "| threads | program | wall s (median / min) | peak MiB (median) |"
echo "| --- | --- | --- | --- |"
for threads in 1 2; do
  declare -A wall=() kib=()
  for ((r = 0; r < runs; r++)); do
    for h in "${hosts[@]}"; do
      rm -rf "$work/out" "$work/.out.dsl"
      # shellcheck disable=SC2086
      /usr/bin/time -f "%e %M" -o "$work/time" ${program[$h]} run --input "$work/in" --output "$work/out" --parallelism "$threads" --compression snappy --fitted "$work/fitted.json" >/dev/null
      read -r s k <"$work/time"
      wall[$h]+="$s"$'\n'
      kib[$h]+="$k"$'\n'
    done
  done
  for h in "${hosts[@]}"; do
    echo "| $threads | $h | $(printf '%s' "${wall[$h]}" | median_min) | $(($(printf '%s' "${kib[$h]}" | median_min | cut -d' ' -f1) / 1024)) |"
  done
  unset wall kib
done

#!/usr/bin/env bash
# The four benchmark workloads (tests/Dsl.Benchmarks/workloads/README.md: W1 features, W2 per-user aggregate, W3
# broadcast join, W4 quality scan), each as DuckDB SQL (workloads/*.sql) and, where a Dsl pipeline project is given, as
# that pipeline, over the same generated Snappy Parquet input, at 1 and 2 threads and at each scale, interleaved run by
# run (the order rotated every round) so machine noise hits every engine alike. Each run is a whole process, timed by
# /usr/bin/time (wall clock, peak resident set). DuckDB runs as `dotnet Dsl.Benchmarks.dll duckdb-sql` (libduckdb
# through DuckDB.NET), whose process includes a .NET start the DuckDB command line would not have, so the table also
# gives DuckDB's in-process time (from opening the database to the last result, reported by the runner), and the
# ratio uses that one, as compare-pipeline.sh does.
#
# Usage: tests/Dsl.Benchmarks/compare-workloads.sh [options]
#   --rows N          rows at scale 1 (default 10000000)
#   --scales "S ..."  scale factors; scale S has N × S rows (default "1 10")
#   --files F         input files per scale (default 8)
#   --runs R          runs of each engine, workload and thread count (default 3; median and min reported)
#   --threads "T ..." thread counts (default "1 2")
#   --workloads "W ..." among W1 W2 W3 W4 (default all four)
#   --data DIR        where inputs are generated and kept between runs (default obj/workload-data)
#   --dsl W=PROJECT   the Dsl pipeline (.csproj) of workload W; repeat per workload. Without one, that workload's
#                     Dsl columns stay empty. How the pipeline is started is dsl_args below: the one place to edit
#                     when the pipelines' options settle.
#   --host H          how the Dsl pipelines run: native (default: the NativeAOT program a bundle ships, published with
#                     DslNativeAot=true) or jit (the Release build on the JIT, what `dotnet run` runs)
# Example smoke run: tests/Dsl.Benchmarks/compare-workloads.sh --rows 1000000 --scales 1 --runs 1
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

rows=10000000
scales="1 10"
files=8
runs=3
thread_counts="1 2"
workloads="W1 W2 W3 W4"
data="$repo/obj/workload-data"
seed=20261214
host=native
declare -A dsl_project=()
while (($#)); do
  case "$1" in
    --rows) rows="$2"; shift 2 ;;
    --scales) scales="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --threads) thread_counts="$2"; shift 2 ;;
    --workloads) workloads="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --host) host="$2"; shift 2 ;;
    --dsl)
      [[ "$2" =~ ^(W[1-4])=(.+)$ ]] || { echo "--dsl takes W1=PROJECT ... W4=PROJECT, not '$2'." >&2; exit 2; }
      dsl_project[${BASH_REMATCH[1]}]="${BASH_REMATCH[2]}"
      shift 2 ;;
    *) echo "Unknown option '$1'; see the usage at the top of $0." >&2; exit 2 ;;
  esac
done
[[ "$host" == native || "$host" == jit ]] || { echo "--host takes native or jit, not '$host'." >&2; exit 2; }
for w in $workloads; do
  [[ "$w" =~ ^W[1-4]$ ]] || { echo "Unknown workload '$w'; the workloads are W1 W2 W3 W4." >&2; exit 2; }
done

declare -A sql_file=([W1]=w1-features.sql [W2]=w2-user-aggregate.sql [W3]=w3-broadcast-join.sql [W4]=w4-quality-scan.sql)
sql_dir="$repo/tests/Dsl.Benchmarks/workloads"

dotnet build -c Release tests/Dsl.Benchmarks/Dsl.Benchmarks.csproj -v:q -nologo >/dev/null
bench="$repo/artifacts/bin/Dsl.Benchmarks/release/Dsl.Benchmarks.dll"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The command that starts workload W's pipeline: the native executable, or `dotnet` and the Release assembly.
declare -A dsl_program=()
for w in "${!dsl_project[@]}"; do
  project="${dsl_project[$w]}"
  [[ -f "$project" ]] || { echo "--dsl $w=$project: no such project file." >&2; exit 2; }
  if [[ "$host" == native ]]; then
    dotnet publish -c Release -r "$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)" -p:DslNativeAot=true -p:DslWritePlan=false -o "$work/native-$w" "$project" -v:q -nologo >/dev/null
    dsl_program[$w]="$work/native-$w/$(dotnet msbuild "$project" -getProperty:AssemblyName)"
  else
    dotnet build -c Release "$project" -v:q -nologo >/dev/null
    dsl_program[$w]="dotnet $(dotnet msbuild "$project" -getProperty:TargetPath -p:Configuration=Release)"
  fi
  [[ -f "${dsl_program[$w]#dotnet }" ]] || { echo "--dsl $w: the build left no ${dsl_program[$w]#dotnet }." >&2; exit 1; }
done

# The Dsl pipeline's command line for workload $1 over input folder $2 (the transaction files), dimension file $3
# (W3's right side), output folder $4, $5 threads: the command line of workloads/pipelines/, all four started with `run`.
dsl_args() {
  local w="$1" input="$2" countries="$3" out="$4" threads="$5"
  args=(run --input "$input" --output "$out" --parallelism "$threads" --compression snappy)
  if [[ "$w" == W3 ]]; then
    args+=(--table "countries=$countries")
  fi
}

# The generated input for $1 rows: made once, and again when workload-data.json (written last) is missing or names
# other parameters or another generator format (WorkloadData.Format: bump it when the generator's output changes).
data_format="dsl-workload-data/1"
ensure_data() {
  local n="$1" dir="$data/rows-$1-files-$files-seed-$seed" manifest
  manifest="$dir/workload-data.json"
  if ! [[ -f "$manifest" ]] || ! grep -q "\"format\": \"$data_format\"," "$manifest" || ! grep -q "\"rows\": $n," "$manifest" \
      || ! grep -q "\"files\": $files," "$manifest" || ! grep -q "\"seed\": $seed," "$manifest"; then
    echo "generating $n rows in $files files under $dir ..." >&2
    dotnet "$bench" workload-data --rows "$n" --files "$files" --seed "$seed" --output "$dir" >&2
  fi
  echo "$dir"
}

# The SQL of workload $1 with its placeholders filled in; comment lines are dropped (the runner splits on ';').
sql_of() {
  local w="$1" dir="$2" out="$3" threads="$4"
  grep -v '^[[:space:]]*--' "$sql_dir/${sql_file[$w]}" | sed \
    -e "s|{{THREADS}}|$threads|g" \
    -e "s|{{INPUT}}|$dir/transactions/*.parquet|g" \
    -e "s|{{COUNTRIES}}|$dir/countries/countries.parquet|g" \
    -e "s|{{OUTPUT}}|$out|g"
}

# One timed run; prints "wall_s peak_kib" (and for DuckDB its in-process seconds), or fails with the engine's error.
measure() {
  local log="$1"
  shift
  if ! /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$log" 2>"$log.err"; then
    echo "failed: $*" >&2
    tail -20 "$log.err" >&2
    exit 1
  fi
  cat "$work/time"
}
run_duck() {
  local w="$1" dir="$2" threads="$3" out="$work/out-duck-$1"
  rm -rf "$out"
  mkdir -p "$out"
  echo "$(measure "$work/duck" dotnet "$bench" duckdb-sql "$(sql_of "$w" "$dir" "$out" "$threads")") $(sed -n 's/^DUCKDB_SECONDS //p' "$work/duck.err")"
}
run_dsl() {
  local w="$1" dir="$2" threads="$3" out="$work/out-dsl-$1"
  rm -rf "$out" "$work/.out-dsl-$1.dsl"
  dsl_args "$w" "$dir/transactions" "$dir/countries/countries.parquet" "$out" "$threads"
  # shellcheck disable=SC2086 # the program is one word (native) or two (dotnet and the assembly)
  measure "$work/dsl" ${dsl_program[$w]} "${args[@]}"
}
rows_in() { dotnet "$bench" duckdb-sql "SELECT count(*) FROM read_parquet('$1/**/*.parquet')" 2>/dev/null; }

# Median and minimum of the numbers on standard input.
median_min() { sort -g | awk '{ v[NR] = $1 } END { printf "%s %s\n", v[int((NR + 1) / 2)], v[1] }'; }
col() { cut -d' ' -f"$2" <<<"$1"; }
f2() { printf '%.2f' "$1"; }
mib() { echo $(($1 / 1024)); }

echo "DuckDB $(dotnet "$bench" duckdb-sql "SELECT version()" 2>/dev/null); .NET $(dotnet --version); Dsl host: $host; $(nproc) cores; $runs runs each, interleaved (order rotated each round); $(date -u +%F)"
table="| input | workload | threads | DuckDB in-process s (median / min) | DuckDB process s (median / min) | DuckDB peak MiB | Dsl process s (median / min) | Dsl peak MiB | DuckDB in-process / Dsl | rows out DuckDB / Dsl |"$'\n'
table+="| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"$'\n'
for scale in $scales; do
  n=$((rows * scale))
  dir=$(ensure_data "$n")
  in_mib=$(($(du -sb "$dir/transactions" | cut -f1) / 1048576))
  for threads in $thread_counts; do
    # The runs of one round: every workload on each engine it has; rotated by one each round.
    jobs=()
    for w in $workloads; do
      jobs+=("duck $w")
      [[ -n "${dsl_program[$w]:-}" ]] && jobs+=("dsl $w")
    done
    declare -A results=()
    for ((r = 0; r < runs; r++)); do
      for ((j = 0; j < ${#jobs[@]}; j++)); do
        read -r engine w <<<"${jobs[$(((j + r) % ${#jobs[@]}))]}"
        line=$(run_"$engine" "$w" "$dir" "$threads")
        results["$engine $w"]+="$line"$'\n'
      done
    done
    for w in $workloads; do
      duck="${results["duck $w"]%$'\n'}"
      read -r d_in d_in_min < <(col "$duck" 3 | median_min)
      read -r d_wall d_wall_min < <(col "$duck" 1 | median_min)
      d_kib=$(col "$duck" 2 | median_min | cut -d' ' -f1)
      duck_rows=$(rows_in "$work/out-duck-$w")
      dsl_cells="| | | |"
      dsl_rows="-"
      if [[ -n "${dsl_program[$w]:-}" ]]; then
        dsl="${results["dsl $w"]%$'\n'}"
        read -r s_wall s_wall_min < <(col "$dsl" 1 | median_min)
        s_kib=$(col "$dsl" 2 | median_min | cut -d' ' -f1)
        dsl_rows=$(rows_in "$work/out-dsl-$w")
        dsl_cells="| $s_wall / $s_wall_min | $(mib "$s_kib") | $(awk -v a="$d_in" -v b="$s_wall" 'BEGIN { printf "%.2f", a / b }') |"
      fi
      rm -rf "$work/out-duck-$w" "$work/out-dsl-$w" "$work/.out-dsl-$w.dsl"
      table+="| $n rows, $in_mib MiB | $w | $threads | $(f2 "$d_in") / $(f2 "$d_in_min") | $d_wall / $d_wall_min | $(mib "$d_kib") $dsl_cells $duck_rows / $dsl_rows |"$'\n'
    done
    unset results
  done
done
echo
printf '%s' "$table"

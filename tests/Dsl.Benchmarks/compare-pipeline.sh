#!/usr/bin/env bash
# Whole-process comparison of the sample pipeline (templates/.../dsl-pipeline) against DuckDB running the same
# filter and features as SQL over the same Parquet input, writing Snappy Parquet, with 1 and 2 threads.
# DuckDB runs as `dotnet Dsl.Benchmarks.dll duckdb-sql` (libduckdb through DuckDB.NET), whose process time includes a
# .NET start that the DuckDB command line would not have; so the table also gives DuckDB's in-process time (from
# opening the database to the last result, reported by the runner) and compares against that.
# Usage: tests/Dsl.Benchmarks/compare-pipeline.sh [ROWS] [RUNS]     (defaults: 5000000 rows, 3 runs; median and min reported)
set -euo pipefail
rows="${1:-5000000}"
runs="${2:-3}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
project=templates/Dsl.Templates/content/dsl-pipeline/Dsl.Pipeline1.csproj
dotnet build -c Release "$project" -v:q -nologo >/dev/null
dotnet build -c Release tests/Dsl.Benchmarks/Dsl.Benchmarks.csproj -v:q -nologo >/dev/null
app="$repo/artifacts/bin/Dsl.Pipeline1/release/Dsl.Pipeline1.dll"
duck="$repo/artifacts/bin/Dsl.Benchmarks/release/Dsl.Benchmarks.dll"
# The same pipeline as the NativeAOT program a bundle ships (DslNativeAot=true), measured next to the JIT one.
dotnet publish -c Release -r "$(dotnet --info | sed -n 's/^ *RID: *//p' | head -1)" -p:DslNativeAot=true -p:DslWritePlan=false -o "$work/native" "$project" -v:q -nologo >/dev/null
native="$work/native/Dsl.Pipeline1"
dotnet "$app" generate-sample --rows "$rows" --files 4 --output "$work/in" >/dev/null
in_bytes=$(du -sb "$work/in" | cut -f1)

# The stage parameter values (AmountScaling, which the template's fit stage FitAmount computes): fitted once, before
# timing, so both engines make one pass with the same values: Dsl loads the state with --fitted (no first pass),
# DuckDB gets the values as literals in the SQL.
dotnet "$app" fit --input "$work/in" --fitted-out "$work/fitted.json" >/dev/null
mean=$(jq -r '.parameters.AmountScaling.Mean.value' "$work/fitted.json")
std=$(jq -r '.parameters.AmountScaling.Std.value' "$work/fitted.json")
params=(--fitted "$work/fitted.json")

# The same filter and features as Stages.cs. DuckDB has no FNV-1a, so the country bucket uses its own hash():
# equal work, different bucket numbers. The template's rules (Schemas.cs) keep the rows of unknown countries out of
# the output (ours writes them to its quarantine, about 0.1% of the rows; DuckDB leaves them out), so the same
# condition is in DuckDB's WHERE; its two ranges pass every sample row but are checked too, as ours checks them.
sql() {
  local threads="$1" out="$2"
  echo "SET threads=$threads; COPY (SELECT UserId, ln(1 + Amount) AS LogAmount, (Amount - $mean) / $std AS AmountZ, hour(Ts) AS Hour, dayofweek(Ts) IN (0, 6) AS IsWeekend, (hash(Country) % 1024)::INTEGER AS CountryBucket, coalesce(SessionSeconds, 0) / 60.0 AS SessionMinutes, Amount > 1000 AS IsHighValue, Label FROM read_parquet('$work/in/*.parquet') WHERE Country IN ('US', 'GB', 'DE', 'FR', 'IN', 'BR', 'JP', 'NG', 'CA', 'AU', 'ES', 'MX') AND Amount BETWEEN -10000 AND 10000 AND (SessionSeconds IS NULL OR SessionSeconds BETWEEN 0 AND 3600) AND Amount >= 0 AND SessionSeconds IS NOT NULL) TO '$out' (FORMAT parquet, COMPRESSION snappy, PER_THREAD_OUTPUT true); SELECT count(*) FROM read_parquet('$out/*.parquet')"
}

# Runs DuckDB once through the runner; appends "in_process_s" to the "wall_s peak_kb" that /usr/bin/time wrote.
run_duck() {
  local script="$1"
  if ! /usr/bin/time -f "%e %M" -o "$work/time" dotnet "$duck" duckdb-sql "$script" >/dev/null 2>"$work/duck-err"; then
    cat "$work/duck-err" >&2
    exit 1
  fi
  echo "$(cat "$work/time") $(sed -n 's/^DUCKDB_SECONDS //p' "$work/duck-err")"
}

# The median and the minimum of field $2 of the lines in $1 (one run per line).
median_min() {
  local sorted mid
  sorted=$(printf '%s\n' "$1" | cut -d' ' -f"$2" | sort -g)
  mid=$(( ($(printf '%s\n' "$sorted" | wc -l) + 1) / 2 ))
  echo "$(printf '%s\n' "$sorted" | sed -n "${mid}p") $(printf '%s\n' "$sorted" | head -1)"
}

# One timed run of our pipeline through $1 (the native program, or dotnet and the assembly) with $2 threads;
# prints "wall_s peak_kb".
run_ours() {
  local threads="$1"
  shift
  rm -rf "$work/out" "$work/.out.dsl"
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" run --input "$work/in" --output "$work/out" --parallelism "$threads" --compression snappy "${params[@]}" >/dev/null 2>"$work/ours-err" || { cat "$work/ours-err" >&2; exit 1; }
  cat "$work/time"
}

# Runs the three (native Dsl, JIT Dsl, DuckDB) in turn, round after round, so that machine noise hits all alike.
# Prints "native_median_s native_min_s native_median_kb jit_median_s jit_min_s jit_median_kb duck_median_s duck_min_s
# duck_median_kb duck_inproc_median_s duck_inproc_min_s".
measure_round() {
  local threads="$1" native_runs="" jit_runs="" duck_runs=""
  for ((r = 0; r < runs; r++)); do
    native_runs+="$(run_ours "$threads" "$native")"$'\n'
    jit_runs+="$(run_ours "$threads" dotnet "$app")"$'\n'
    rm -rf "$work/out"
    duck_runs+="$(run_duck "$(sql "$threads" "$work/out")")"$'\n'
  done
  native_runs="${native_runs%$'\n'}"
  jit_runs="${jit_runs%$'\n'}"
  duck_runs="${duck_runs%$'\n'}"
  echo "$(median_min "$native_runs" 1) $(median_min "$native_runs" 2 | cut -d' ' -f1)" \
    "$(median_min "$jit_runs" 1) $(median_min "$jit_runs" 2 | cut -d' ' -f1)" \
    "$(median_min "$duck_runs" 1) $(median_min "$duck_runs" 2 | cut -d' ' -f1) $(median_min "$duck_runs" 3)"
}

echo "input: $rows rows in 4 Snappy files, $((in_bytes / 1024 / 1024)) MiB; $runs runs each, engines in turn; $(nproc) cores"
echo
echo "| threads | Dsl NativeAOT s (median / min) | Dsl JIT s (median / min) | DuckDB in-process s (median / min) | DuckDB process s (median / min) | DuckDB in-process / Dsl NativeAOT | DuckDB in-process / Dsl JIT | peak MiB NativeAOT / JIT / DuckDB |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for threads in 1 2; do
  read -r nat_s nat_min nat_kb jit_s jit_min jit_kb duck_s duck_min duck_kb duck_in duck_in_min < <(measure_round "$threads")
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
  echo "| $threads | $nat_s / $nat_min | $jit_s / $jit_min | $(printf '%.2f' "$duck_in") / $(printf '%.2f' "$duck_in_min") | $duck_s / $duck_min | $(ratio "$duck_in" "$nat_s") | $(ratio "$duck_in" "$jit_s") | $((nat_kb / 1024)) / $((jit_kb / 1024)) / $((duck_kb / 1024)) |"
done

# Same rows out of both engines (a check, not a timing).
rm -rf "$work/out" "$work/.out.dsl" "$work/out-duck"
"$native" run --input "$work/in" --output "$work/out" "${params[@]}" >/dev/null
duck_rows=$(dotnet "$duck" duckdb-sql "$(sql 2 "$work/out-duck")" 2> >(grep -v '^DUCKDB_SECONDS ' >&2))
ours_rows=$(dotnet "$duck" duckdb-sql "SELECT count(*) FROM read_parquet('$work/out/*.parquet')" 2> >(grep -v '^DUCKDB_SECONDS ' >&2))
echo
echo "rows out: Dsl $ours_rows, DuckDB $duck_rows"
[[ "$ours_rows" == "$duck_rows" ]] || { echo "row counts differ" >&2; exit 1; }

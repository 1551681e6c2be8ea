#!/usr/bin/env bash
# Whole-process comparison of the sample pipeline (templates/.../dsl-pipeline) against DuckDB running the same
# filter and features as SQL over the same Parquet input, writing Snappy Parquet, with 1 and 2 threads.
# Usage: tests/Dsl.Benchmarks/compare-pipeline.sh [ROWS] [RUNS]     (defaults: 5000000 rows, 3 runs; median and min reported)
set -euo pipefail
rows="${1:-5000000}"
runs="${2:-3}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
tests/tools/install-duckdb.sh >/dev/null
dotnet build -c Release templates/Dsl.Templates/content/dsl-pipeline/Dsl.Pipeline1.csproj -v:q -nologo >/dev/null
dotnet build -c Release tests/Dsl.Benchmarks/Dsl.Benchmarks.csproj -v:q -nologo >/dev/null
app="$repo/artifacts/bin/Dsl.Pipeline1/release/Dsl.Pipeline1.dll"
duck="$repo/artifacts/bin/Dsl.Benchmarks/release/Dsl.Benchmarks.dll"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet "$app" generate-sample --rows "$rows" --files 4 --output "$work/in" >/dev/null
in_bytes=$(du -sb "$work/in" | cut -f1)

# The stage parameter values (AmountScaling in Stages.cs): both engines get the same ones, Dsl through --param
# (overriding the template's pipeline.yaml, which holds the same values), DuckDB as literals in the SQL.
mean=371.5
std=645.5
params=(--param "AmountScaling.Mean=$mean" --param "AmountScaling.Std=$std")

# The same filter and features as Stages.cs. DuckDB has no FNV-1a, so the country bucket uses its own hash():
# equal work, different bucket numbers.
sql() {
  local threads="$1" out="$2"
  echo "SET threads=$threads; COPY (SELECT UserId, ln(1 + Amount) AS LogAmount, (Amount - $mean) / $std AS AmountZ, hour(Ts) AS Hour, dayofweek(Ts) IN (0, 6) AS IsWeekend, (hash(Country) % 1024)::INTEGER AS CountryBucket, coalesce(SessionSeconds, 0) / 60.0 AS SessionMinutes, Amount > 1000 AS IsHighValue, Label FROM read_parquet('$work/in/*.parquet') WHERE Amount >= 0 AND SessionSeconds IS NOT NULL) TO '$out' (FORMAT parquet, COMPRESSION snappy, PER_THREAD_OUTPUT true); SELECT count(*) FROM read_parquet('$out/*.parquet')"
}

# Runs the two engines alternately (ours, DuckDB, ours, ...) so that machine noise hits both alike. Prints
# "ours_median_s ours_min_s ours_median_kb duck_median_s duck_min_s duck_median_kb".
measure_pair() {
  local threads="$1" ours_runs=() duck_runs=()
  for ((r = 0; r < runs; r++)); do
    rm -rf "$work/out" "$work/.out.dsl"
    /usr/bin/time -f "%e %M" -o "$work/time" dotnet "$app" run --input "$work/in" --output "$work/out" --parallelism "$threads" --compression snappy "${params[@]}" >/dev/null
    ours_runs+=("$(cat "$work/time")")
    rm -rf "$work/out"
    /usr/bin/time -f "%e %M" -o "$work/time" dotnet "$duck" duckdb-sql "$(sql "$threads" "$work/out")" >/dev/null
    duck_runs+=("$(cat "$work/time")")
  done
  local mid=$(( (runs + 1) / 2 ))
  local o d
  o=$(printf '%s\n' "${ours_runs[@]}" | sort -n)
  d=$(printf '%s\n' "${duck_runs[@]}" | sort -n)
  echo "$(echo "$o" | sed -n "${mid}p" | cut -d' ' -f1) $(echo "$o" | head -1 | cut -d' ' -f1) $(printf '%s\n' "${ours_runs[@]}" | cut -d' ' -f2 | sort -n | sed -n "${mid}p") $(echo "$d" | sed -n "${mid}p" | cut -d' ' -f1) $(echo "$d" | head -1 | cut -d' ' -f1) $(printf '%s\n' "${duck_runs[@]}" | cut -d' ' -f2 | sort -n | sed -n "${mid}p")"
}

echo "input: $rows rows in 4 Snappy files, $((in_bytes / 1024 / 1024)) MiB; $runs runs each, alternating engines; $(nproc) cores"
echo
echo "| threads | Dsl s (median / min) | DuckDB s (median / min) | DuckDB/Dsl time | Dsl peak MiB | DuckDB peak MiB |"
echo "| --- | --- | --- | --- | --- | --- |"
for threads in 1 2; do
  read -r ours_s ours_min ours_kb duck_s duck_min duck_kb < <(measure_pair "$threads")
  ratio=$(awk -v a="$duck_s" -v b="$ours_s" 'BEGIN { printf "%.2f", a / b }')
  echo "| $threads | $ours_s / $ours_min | $duck_s / $duck_min | $ratio | $((ours_kb / 1024)) | $((duck_kb / 1024)) |"
done

# Same rows out of both engines (a check, not a timing).
rm -rf "$work/out" "$work/.out.dsl" "$work/out-duck"
dotnet "$app" run --input "$work/in" --output "$work/out" "${params[@]}" >/dev/null
duck_rows=$(dotnet "$duck" duckdb-sql "$(sql 2 "$work/out-duck")")
ours_rows=$(dotnet "$duck" duckdb-sql "SELECT count(*) FROM read_parquet('$work/out/*.parquet')")
echo
echo "rows out: Dsl $ours_rows, DuckDB $duck_rows"
[[ "$ours_rows" == "$duck_rows" ]] || { echo "row counts differ" >&2; exit 1; }

#!/usr/bin/env bash
# Checks the four Dsl workload pipelines (README.md beside this file) against the DuckDB SQL of their workloads
# (tests/Dsl.Benchmarks/workloads/*.sql) on a small generated input: both engines run on the same files, and DuckDB
# compares the outputs row by row (joined on TxId, UserId or all columns). Prints one line per workload and exits 1
# when a check that must hold does not. Not a CI test: a manual check before publishing benchmark figures.
#
# Usage: tests/Dsl.Benchmarks/workloads/pipelines/check-pipelines.sh [--rows N] [--files F] [--threads T]
#   --rows N     input rows (default 50000: below 65,536 kept rows, where Dsl's quantiles are exact, so W1's median
#                and deciles must equal DuckDB's quantile_cont; above it they come from a KLL sketch, and the rows
#                whose decile or imputed session differ are counted and printed, not failed)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
cd "$repo"
rows=50000
files=4
threads=2
while (($#)); do
  case "$1" in
    --rows) rows="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "Unknown option '$1'; see the usage at the top of $0." >&2; exit 2 ;;
  esac
done

pipelines="$repo/tests/Dsl.Benchmarks/workloads/pipelines"
dotnet build -c Release tests/Dsl.Benchmarks/Dsl.Benchmarks.csproj -v:q -nologo >/dev/null
bench="$repo/artifacts/bin/Dsl.Benchmarks/release/Dsl.Benchmarks.dll"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
data="$work/data"
dotnet "$bench" workload-data --rows "$rows" --files "$files" --output "$data" >/dev/null
input="$data/transactions/*.parquet"
countries="$data/countries/countries.parquet"

declare -A sql_file=([W1]=w1-features.sql [W2]=w2-user-aggregate.sql [W3]=w3-broadcast-join.sql [W4]=w4-quality-scan.sql)
declare -A project=([W1]=W1Features [W2]=W2UserAggregate [W3]=W3BroadcastJoin [W4]=W4QualityScan)
for w in W1 W2 W3 W4; do
  mkdir -p "$work/duck-$w"
  grep -v '^[[:space:]]*--' "tests/Dsl.Benchmarks/workloads/${sql_file[$w]}" | sed \
    -e "s|{{THREADS}}|$threads|g" -e "s|{{INPUT}}|$input|g" -e "s|{{COUNTRIES}}|$countries|g" -e "s|{{OUTPUT}}|$work/duck-$w|g" \
    >"$work/$w.sql"
  dotnet "$bench" duckdb-sql "$(cat "$work/$w.sql")" >/dev/null 2>&1
  csproj="$pipelines/${project[$w]}/${project[$w]}.csproj"
  dotnet build -c Release "$csproj" -v:q -nologo >/dev/null
  dll=$(dotnet msbuild "$csproj" -getProperty:TargetPath -p:Configuration=Release)
  table=()
  [[ $w == W3 ]] && table=(--table "countries=$countries")
  if ! dotnet "$dll" run --input "$data/transactions" --output "$work/dsl-$w" --parallelism "$threads" --compression snappy "${table[@]}" >"$work/dsl-$w.log" 2>&1; then
    echo "${project[$w]} failed:" >&2
    tail -20 "$work/dsl-$w.log" >&2
    exit 1
  fi
done

# One DuckDB query over both outputs (views d and s, and t the input); prints its one value.
query() {
  local w="$1" sql="$2"
  dotnet "$bench" duckdb-sql "CREATE VIEW d AS SELECT * FROM read_parquet('$work/duck-$w/*.parquet');
    CREATE VIEW s AS SELECT * FROM read_parquet('$work/dsl-$w/*.parquet');
    CREATE VIEW t AS SELECT * FROM read_parquet('$input');
    $sql" 2>/dev/null
}
close() { echo "(abs($1 - $2) <= 1e-9 * greatest(1, abs($1)))"; }
failed=0
expect_zero() {
  local what="$1" value="$2"
  if [[ "$value" != 0 ]]; then
    echo "  FAILED: $what = $value (expected 0)"
    failed=1
  fi
}

# W1: every kept row once, every value equal (CountryBucket is FNV-1a, not DuckDB's hash: checked to be one bucket
# per country, in [0, 1024)).
read -r d_rows s_rows unmatched differ decile imputed bucket < <(query W1 "SELECT concat_ws(' ',
    count(d.TxId), count(s.TxId), count(*) FILTER (WHERE d.TxId IS NULL OR s.TxId IS NULL),
    count(*) FILTER (WHERE NOT (d.UserId = s.UserId AND $(close d.AmountZ s.AmountZ) AND $(close d.LogAmount s.LogAmount)
      AND d.Hour = s.Hour AND d.IsWeekend = s.IsWeekend AND d.Label = s.Label)),
    count(*) FILTER (WHERE d.AmountDecile <> s.AmountDecile),
    count(*) FILTER (WHERE NOT $(close d.SessionSeconds s.SessionSeconds)),
    (SELECT count(*) FROM (SELECT t.Country FROM s JOIN t USING (TxId) GROUP BY t.Country
      HAVING count(DISTINCT s.CountryBucket) > 1 OR min(s.CountryBucket) < 0 OR max(s.CountryBucket) >= 1024)))
  FROM d FULL JOIN s ON d.TxId = s.TxId")
echo "W1 rows DuckDB/Dsl $d_rows/$s_rows; unmatched $unmatched; rows with other values $differ; other decile $decile; other SessionSeconds $imputed; countries with several buckets $bucket"
expect_zero "W1 unmatched rows" "$unmatched"
expect_zero "W1 rows with other values" "$differ"
expect_zero "W1 countries with several buckets" "$bucket"
if ((d_rows <= 65536)); then
  expect_zero "W1 rows with another decile (exact quantiles)" "$decile"
  expect_zero "W1 rows with another SessionSeconds (exact median)" "$imputed"
fi

# W2: equal per user, where Dsl's sum of no amounts is 0 (SQL: NULL) and its mean NaN (SQL: NULL).
read -r d_rows s_rows unmatched differ all_null approx < <(query W2 "SELECT concat_ws(' ',
    count(d.UserId), count(s.UserId), count(*) FILTER (WHERE d.UserId IS NULL OR s.UserId IS NULL),
    count(*) FILTER (WHERE NOT (d.Transactions = s.Transactions AND d.Merchants = s.Merchants
      AND d.MaxAmount IS NOT DISTINCT FROM s.MaxAmount
      AND $(close 'coalesce(d.TotalAmount, 0)' s.TotalAmount)
      AND (CASE WHEN d.MeanAmount IS NULL THEN isnan(s.MeanAmount) ELSE $(close d.MeanAmount s.MeanAmount) END))),
    count(*) FILTER (WHERE d.TotalAmount IS NULL),
    round(max(abs(s.ApproxMerchants - s.Merchants) / s.Merchants), 4))
  FROM d FULL JOIN s ON d.UserId = s.UserId")
echo "W2 rows DuckDB/Dsl $d_rows/$s_rows; unmatched $unmatched; users with other values $differ; users without amounts (SQL NULL, Dsl 0/NaN/null) $all_null; Dsl ApproxMerchants max relative error $approx"
expect_zero "W2 unmatched users" "$unmatched"
expect_zero "W2 users with other values" "$differ"

# W3: the same multiset of rows.
columns="TxId, UserId, Ts, Amount, Country, CountryName, Region, RiskWeight"
read -r d_rows s_rows only_d only_s < <(query W3 "SELECT concat_ws(' ', (SELECT count(*) FROM d), (SELECT count(*) FROM s),
    (SELECT count(*) FROM (SELECT $columns FROM d EXCEPT ALL SELECT $columns FROM s)),
    (SELECT count(*) FROM (SELECT $columns FROM s EXCEPT ALL SELECT $columns FROM d)))")
echo "W3 rows DuckDB/Dsl $d_rows/$s_rows; rows only in DuckDB's $only_d; only in Dsl's $only_s"
expect_zero "W3 rows only in DuckDB's output" "$only_d"
expect_zero "W3 rows only in Dsl's output" "$only_s"

# W4: one row each, every column equal.
w4_columns=(Rows TxIdNulls UserIdNulls MerchantIdNulls TsNulls CountryNulls AmountNulls SessionSecondsNulls LabelNulls
  TxIdMin TxIdMax UserIdMin UserIdMax MerchantIdMin MerchantIdMax TsMin TsMax AmountMin AmountMax SessionSecondsMin
  SessionSecondsMax UserIdInvalid AmountInvalid SessionSecondsInvalid CountryInvalid TsInvalid)
differing=""
for c in "${w4_columns[@]}"; do differing+="CASE WHEN d.$c IS DISTINCT FROM s.$c THEN '$c' END, "; done
read -r d_rows s_rows counts other < <(query W4 "SELECT concat_ws(' ', (SELECT count(*) FROM d), (SELECT count(*) FROM s),
    (SELECT concat_ws(',', Rows, CountryNulls, AmountNulls, SessionSecondsNulls, AmountInvalid, SessionSecondsInvalid, CountryInvalid, TsInvalid) FROM s),
    (SELECT coalesce(nullif(concat_ws(',', ${differing%, }), ''), 'none') FROM d, s))")
echo "W4 rows DuckDB/Dsl $d_rows/$s_rows; Dsl's Rows,CountryNulls,AmountNulls,SessionSecondsNulls,AmountInvalid,SessionSecondsInvalid,CountryInvalid,TsInvalid = $counts; differing columns: $other"
[[ "$d_rows $s_rows $other" == "1 1 none" ]] || { echo "  FAILED: W4 differs from DuckDB's row"; failed=1; }
exit "$failed"

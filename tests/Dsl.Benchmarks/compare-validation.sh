#!/usr/bin/env bash
# The cost of row rules, whole process: the sample pipeline (templates/Dsl.Templates/content/dsl-pipeline) built twice
# from the template's sources, once with every rule stripped and once with five rules on Transaction (its input), and
# DuckDB running the same pipeline SQL as compare-pipeline.sh alone and followed by a second query that counts the
# same five rules' violations. The four run interleaved, round after round, on the same input, at 1 and 2 threads.
# The variants do not depend on the template's own rules: rule attributes are stripped from its Schemas.cs and
# Stages.cs, its pipeline.yaml (which may hold gates or drift checks) is not copied, and each variant's
# _validation.json is checked to hold exactly the rules intended (none, or the five) and no gates.
# Usage: tests/Dsl.Benchmarks/compare-validation.sh [ROWS] [ROUNDS]   (defaults: 5000000 rows, 5 rounds)
set -euo pipefail
rows="${1:-5000000}"
rounds="${2:-5}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
python=/usr/bin/python3

# The variants live at the template content's depth (obj/validation-bench/content/<variant>, like
# templates/Dsl.Templates/content/dsl-pipeline), so the copied Directory.Build.props/.targets find the repository's
# runtime, generators and SDK by the same relative paths; not under artifacts/, whose files the SDK leaves out of
# every project's items. obj/ is ignored by git. Distinct project names keep their artifacts/bin folders apart.
template="$repo/templates/Dsl.Templates/content"
content="$repo/obj/validation-bench/content"
rm -rf "$content"
mkdir -p "$content"
cp "$template/Directory.Build.props" "$template/Directory.Build.targets" "$content/"

# Every attribute list that starts with a rule or gate (with or without the property: target), and OnRowError
# settings, are removed; anything else (a [Check] stage) makes the check below fail rather than go unnoticed.
strip_rules() {
  perl -0pi -e '
    s/\[\s*(?:property:\s*)?(?:Range|NotNull|OneOf|MinLength|MaxLength|Regex|Finite|Unique|NullRate|Gate)(?:Attribute)?\b(?:[^\[\]"]|"(?:[^"\\]|\\.)*")*\]\s*//g;
    s/,\s*OnRowError\s*=\s*RowErrorAction\.\w+//g;
    s/\(\s*OnRowError\s*=\s*RowErrorAction\.\w+\s*\)//g;
  ' "$@"
}

# The five rules, all passed by every row of the sample data (SampleData.cs: user ids 1..999,999, twelve countries,
# amounts ±(e^(8u) - 1) within ±2,981, sessions 0..1,800 s or null), so the quarantine stays empty and the cost
# measured is the checking.
countries='"US", "GB", "DE", "FR", "IN", "BR", "JP", "NG", "CA", "AU", "ES", "MX"'
add_rules() {
  COUNTRIES="$countries" perl -0pi -e '
    my $n = 0;
    s{(record\s+Transaction\s*\()(.*?)(\)\s*;)}{
      my ($head, $members, $tail) = ($1, $2, $3);
      $n += ($members =~ s/\b(long\s+UserId)\b/[property: Range(1, 999_999)] $1/);
      $n += ($members =~ s/\b(string\s+Country)\b/[property: OneOf($ENV{COUNTRIES})] $1/);
      $n += ($members =~ s/\b(double\s+Amount)\b/[property: Range(-3_000, 3_000)] [property: Finite] $1/);
      $n += ($members =~ s/(double\?\s+SessionSeconds)\b/[property: Range(0, 1_800)] $1/);
      "$head$members$tail"
    }se;
    die "Schemas.cs: expected the members UserId, Country, Amount and SessionSeconds in record Transaction, found $n of 4\n" unless $n == 4;
  ' "$1"
}
expected_rules="Transaction.UserId.Range Transaction.Country.OneOf Transaction.Amount.Range Transaction.Amount.Finite Transaction.SessionSeconds.Range"

make_variant() {
  local name="$1" dir="$content/$1"
  mkdir -p "$dir"
  cp "$template/dsl-pipeline/"*.cs "$dir/"
  cp "$template/dsl-pipeline/Dsl.Pipeline1.csproj" "$dir/$name.csproj"
  strip_rules "$dir/Schemas.cs" "$dir/Stages.cs"
}
make_variant Dsl.ValidationBench.NoRules
make_variant Dsl.ValidationBench.Rules
add_rules "$content/Dsl.ValidationBench.Rules/Schemas.cs"

for v in NoRules Rules; do
  dotnet build -c Release "$content/Dsl.ValidationBench.$v/Dsl.ValidationBench.$v.csproj" -v:q -nologo >/dev/null
done
dotnet build -c Release tests/Dsl.Benchmarks/Dsl.Benchmarks.csproj -v:q -nologo >/dev/null
no_rules="$repo/artifacts/bin/Dsl.ValidationBench.NoRules/release/Dsl.ValidationBench.NoRules.dll"
with_rules="$repo/artifacts/bin/Dsl.ValidationBench.Rules/release/Dsl.ValidationBench.Rules.dll"
duck="$repo/artifacts/bin/Dsl.Benchmarks/release/Dsl.Benchmarks.dll"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The input: the template's SampleData.cs, written once (by the variant without rules), the same files for every engine.
dotnet "$no_rules" generate-sample --rows "$rows" --files 4 --output "$work/in" >/dev/null
in_bytes=$(du -sb "$work/in" | cut -f1)

# AmountScaling, fitted once (by the variant without rules) before timing: both variants load it with --fitted and
# make one pass, DuckDB gets its values as literals.
dotnet "$no_rules" fit --input "$work/in" --fitted-out "$work/fitted.json" >/dev/null
mean=$(jq -r '.parameters.AmountScaling.Mean.value' "$work/fitted.json")
std=$(jq -r '.parameters.AmountScaling.Std.value' "$work/fitted.json")
params=(--fitted "$work/fitted.json")

# compare-pipeline.sh's SQL: the template's filter and features.
pipeline_sql() {
  local threads="$1" out="$2"
  echo "SET threads=$threads; COPY (SELECT UserId, ln(1 + Amount) AS LogAmount, (Amount - $mean) / $std AS AmountZ, hour(Ts) AS Hour, dayofweek(Ts) IN (0, 6) AS IsWeekend, (hash(Country) % 1024)::INTEGER AS CountryBucket, coalesce(SessionSeconds, 0) / 60.0 AS SessionMinutes, Amount > 1000 AS IsHighValue, Label FROM read_parquet('$work/in/*.parquet') WHERE Amount >= 0 AND SessionSeconds IS NOT NULL) TO '$out' (FORMAT parquet, COMPRESSION snappy, PER_THREAD_OUTPUT true); SELECT count(*) FROM read_parquet('$out/*.parquet')"
}
# The five rules' violation counts over the input, in the order of $expected_rules, as one string. A null passes a
# Range (NOT (NULL BETWEEN ...) is null, not true), NaN breaks it (DuckDB orders NaN above every number).
rules_sql() {
  echo "SELECT concat_ws(' ', count(*) FILTER (WHERE NOT (UserId BETWEEN 1 AND 999999)), count(*) FILTER (WHERE NOT (Country IN ('US', 'GB', 'DE', 'FR', 'IN', 'BR', 'JP', 'NG', 'CA', 'AU', 'ES', 'MX'))), count(*) FILTER (WHERE NOT (Amount BETWEEN -3000 AND 3000)), count(*) FILTER (WHERE NOT isfinite(Amount)), count(*) FILTER (WHERE NOT (SessionSeconds BETWEEN 0 AND 1800))) FROM read_parquet('$work/in/*.parquet')"
}

# Fields of a run's line: wall s, peak KiB, CPU s (user + system; less disturbed than wall time by whatever else
# the machine runs), then for ours the run's profile (task times summed over partitions): read+decode, kernels,
# encode+write, task commits; for DuckDB its in-process time.
measure() {
  local out="$1"
  shift
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >"$out" 2>"$out.err" || { cat "$out.err" >&2; exit 1; }
  awk '{ printf "%s %s %.2f", $1, $2, $3 + $4 }' "$work/time"
}
run_ours() {
  local app="$1" threads="$2"
  rm -rf "$work/out" "$work/.out.dsl"
  echo "$(measure "$work/ours" dotnet "$app" run --input "$work/in" --output "$work/out" --parallelism "$threads" --compression snappy "${params[@]}")" \
    "$(grep '^Profile (task times summed)' "$work/ours" | tr -d ',' | sed 's/;.*//' | awk '{ print $6, $9, $12, $16 }')"
}
run_duck() {
  rm -rf "$work/out"
  echo "$(measure "$work/duck" dotnet "$duck" duckdb-sql "$1") $(sed -n 's/^DUCKDB_SECONDS //p' "$work/duck.err")"
}

# Checks (not timed): the rules each variant carries, and the rule counts of both engines.
check_rules() {
  local app="$1" expected="$2"
  run_ours "$app" 2 >/dev/null
  "$python" - "$work/out/_validation.json" "$expected" <<'EOF'
import json, os, sys
# A run whose plan has no rules, gates or drift check writes no report.
report = json.load(open(sys.argv[1])) if os.path.exists(sys.argv[1]) else {"rules": [], "gates": [], "drift": []}
ids = [r["id"] for r in report["rules"]]
expected = sys.argv[2].split()
if ids != expected or report["gates"] or report["drift"]:
    sys.exit(f"{sys.argv[1]}: rules {ids}, gates {len(report['gates'])}, drift {len(report['drift'])}; expected rules {expected} and no gates or drift")
print(" ".join(str(r["counts"]["broken"]) for r in report["rules"]))
EOF
}
check_rules "$no_rules" "" >/dev/null
ours_counts=$(check_rules "$with_rules" "$expected_rules")
ours_rows_with=$(dotnet "$duck" duckdb-sql "SELECT count(*) FROM read_parquet('$work/out/*.parquet')" 2>/dev/null)
duck_counts=$(dotnet "$duck" duckdb-sql "$(rules_sql)" 2>/dev/null)
rm -rf "$work/out-duck"
duck_rows=$(dotnet "$duck" duckdb-sql "$(pipeline_sql 2 "$work/out-duck")" 2>/dev/null)

# Median and minimum of a column of numbers.
median_min() { sort -g | awk '{ v[NR] = $1 } END { printf "%s %s", v[int((NR + 1) / 2)], v[1] }'; }
median() { median_min | cut -d' ' -f1; }
col() { cut -d' ' -f"$2" <<<"$1"; }
f2() { printf '%.2f' "$1"; }
mib() { echo $(($1 / 1024)); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "input: $rows rows in 4 Snappy files, $((in_bytes / 1024 / 1024)) MiB; $rounds rounds, the four runs of a round interleaved (order rotated each round); $(nproc) cores; $(date -u +%F)"
echo "rules: $expected_rules"
echo "broken rows: Dsl $ours_counts, DuckDB $duck_counts; rows out: Dsl with rules $ours_rows_with, DuckDB $duck_rows"
[[ "$ours_counts" == "$duck_counts" ]] || { echo "rule counts differ" >&2; exit 1; }
[[ "$ours_rows_with" == "$duck_rows" ]] || { echo "row counts differ" >&2; exit 1; }
echo

# One table row: the median (and minimum) of each field over the rounds.
row_ours() {
  local runs="$1" label="$2" wall wall_min kern tasks
  read -r wall wall_min < <(col "$runs" 1 | median_min)
  kern=$(col "$runs" 5 | median)
  tasks=$(awk '{ print $4 + $5 + $6 + $7 }' <<<"$runs" | median)
  echo "| $threads | $label | $wall / $wall_min | $(col "$runs" 3 | median) | | $(mib "$(col "$runs" 2 | median)") | $(col "$runs" 4 | median) | $(f2 "$kern") | $(col "$runs" 6 | median) | $(awk -v k="$kern" -v t="$tasks" 'BEGIN { printf "%.0f%%", 100 * k / t }') |"
}
row_duck() {
  local runs="$1" label="$2" wall wall_min inp inp_min
  read -r wall wall_min < <(col "$runs" 1 | median_min)
  read -r inp inp_min < <(col "$runs" 4 | median_min)
  echo "| $threads | $label | $wall / $wall_min | $(col "$runs" 3 | median) | $(f2 "$inp") / $(f2 "$inp_min") | $(mib "$(col "$runs" 2 | median)") | | | | |"
}
# Per-round ratios of field $3, $1 over $2, paired within a round so that a slow stretch of the machine hits both: their median.
paired() { paste -d' ' <(col "$1" "$3") <(col "$2" "$3") | awk '{ print $1 / $2 }' | median | xargs printf '%.2f'; }
med() { col "$1" "$2" | median; }
least() { col "$1" "$2" | median_min | cut -d' ' -f2; }

tables="" ratios=""
for threads in 1 2; do
  a="" b="" c="" d=""   # ours without, ours with, DuckDB without, DuckDB with: one line per round
  for ((r = 0; r < rounds; r++)); do
    for ((k = 0; k < 4; k++)); do
      case $(((r + k) % 4)) in
        0) a+="$(run_ours "$no_rules" "$threads")"$'\n' ;;
        1) b+="$(run_ours "$with_rules" "$threads")"$'\n' ;;
        2) c+="$(run_duck "$(pipeline_sql "$threads" "$work/out")")"$'\n' ;;
        3) d+="$(run_duck "$(pipeline_sql "$threads" "$work/out"); $(rules_sql)")"$'\n' ;;
      esac
    done
  done
  a="${a%$'\n'}" b="${b%$'\n'}" c="${c%$'\n'}" d="${d%$'\n'}"
  tables+="$(row_ours "$a" "Dsl, no rules")"$'\n'
  tables+="$(row_ours "$b" "Dsl, 5 rules")"$'\n'
  tables+="$(row_duck "$c" "DuckDB, pipeline")"$'\n'
  tables+="$(row_duck "$d" "DuckDB, pipeline + rule counts")"$'\n'
  ratios+="| $threads | $(ratio "$(med "$b" 1)" "$(med "$a" 1)") / $(paired "$b" "$a" 1) / $(ratio "$(least "$b" 1)" "$(least "$a" 1)") | $(ratio "$(med "$b" 3)" "$(med "$a" 3)") / $(paired "$b" "$a" 3) | $(ratio "$(med "$d" 4)" "$(med "$c" 4)") / $(paired "$d" "$c" 4) / $(ratio "$(least "$d" 4)" "$(least "$c" 4)") | $(ratio "$(med "$d" 3)" "$(med "$c" 3)") / $(paired "$d" "$c" 3) | $(ratio "$(med "$b" 1)" "$(med "$d" 4)") |"$'\n'
done

echo "| threads | engine | process s (median / min) | CPU s | DuckDB in-process s (median / min) | peak MiB | read+decode s | kernels s | encode+write s | kernels / task time |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s' "$tables"
echo
echo "Ratios, with rules over without (medians / median of per-round ratios / minima):"
echo
echo "| threads | Dsl process time | Dsl CPU time | DuckDB in-process time | DuckDB CPU time | Dsl with rules (process) / DuckDB with rule counts (in-process), medians |"
echo "| --- | --- | --- | --- | --- | --- |"
printf '%s' "$ratios"

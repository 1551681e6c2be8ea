#!/usr/bin/env bash
# Kernel benchmarks of two revisions, side by side in one series: each revision's benchmarks are built into its own
# folder (a temporary git worktree), then every family runs alternately for the old and the new build, ROUNDS times,
# so that a noisy shared machine slows both alike. Prints, per family and variant, the min and median of the
# per-round means and the new/old ratio.
#
#   tests/Dsl.Kernels.Benchmarks/compare-revisions.sh OLD_REV [NEW_REV (default HEAD)] [ROUNDS (default 3)]
#
# Families are the benchmark classes both revisions have; FAMILIES="DoubleArithmetic Filters" narrows them.
set -euo pipefail

old_rev=${1:?usage: compare-revisions.sh OLD_REV [NEW_REV] [ROUNDS]}
new_rev=${2:-HEAD}
rounds=${3:-3}
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work=$(mktemp -d /tmp/dsl-kernel-compare.XXXXXX)
trap 'for t in old new; do git -C "$repo" worktree remove --force "$work/$t" >/dev/null 2>&1 || true; done' EXIT

for side in old new; do
    rev=$old_rev; [ "$side" = new ] && rev=$new_rev
    git -C "$repo" worktree add --detach "$work/$side" "$rev" >/dev/null
    echo "== building $side ($(git -C "$repo" rev-parse --short "$rev"))" >&2
    dotnet build "$work/$side/tests/Dsl.Kernels.Benchmarks" -c Release -o "$work/$side/out" -v q -nologo >"$work/build-$side.log" 2>&1 \
        || { echo "build of $side failed: $work/build-$side.log" >&2; exit 1; }
done

if [ -z "${FAMILIES:-}" ]; then
    families_of() { grep -hoE '^public (sealed )?class [A-Za-z]+ : KernelBenchmark' "$1"/tests/Dsl.Kernels.Benchmarks/*.cs | awk '{print $(NF-2)}' | sort -u; }
    FAMILIES=$(comm -12 <(families_of "$work/old") <(families_of "$work/new") | tr '\n' ' ')
fi
echo "== families: $FAMILIES; $rounds rounds" >&2

for round in $(seq 1 "$rounds"); do
    for family in $FAMILIES; do
        # Alternate which side goes first, so neither always runs on a warmer or colder machine.
        order="old new"; [ $((round % 2)) -eq 0 ] && order="new old"
        for side in $order; do
            out="$work/results/$side/$round/$family"
            mkdir -p "$out"
            (cd "$work/$side/out" && dotnet Dsl.Kernels.Benchmarks.dll --filter "*.$family.Generated*" --job short --inProcess \
                --exporters briefjson --artifacts "$out" >"$out.log" 2>&1) || echo "run failed: $out.log" >&2
        done
    done
done

/usr/bin/python3 - "$work/results" "$rounds" <<'PY'
import glob, json, os, statistics, sys
root, rounds = sys.argv[1], int(sys.argv[2])
means = {}  # (family, method, side) -> [mean ns per round]
for path in glob.glob(os.path.join(root, "*", "*", "*", "results", "*-report-brief.json")):
    side = path[len(root) + 1:].split(os.sep)[0]
    for b in json.load(open(path))["Benchmarks"]:
        means.setdefault((b["Type"], b["Method"], side), []).append(b["Statistics"]["Mean"])
print(f"| family | variant | old min / median (us) | new min / median (us) | new/old (min) | new/old (median) |")
print(f"| --- | --- | ---: | ---: | ---: | ---: |")
for family, method in sorted({(f, m) for f, m, _ in means}):
    old, new = means.get((family, method, "old"), []), means.get((family, method, "new"), [])
    if not old or not new:
        print(f"| {family} | {method} | {len(old)} runs | {len(new)} runs | - | - |")
        continue
    o_min, o_med, n_min, n_med = min(old) / 1e3, statistics.median(old) / 1e3, min(new) / 1e3, statistics.median(new) / 1e3
    print(f"| {family} | {method} | {o_min:,.1f} / {o_med:,.1f} | {n_min:,.1f} / {n_med:,.1f} | {n_min / o_min:.2f} | {n_med / o_med:.2f} |")
PY

#!/usr/bin/env bash
# The GPU backend's device check, for a session that is lent a GPU machine (run from the repository root):
# builds Dsl.Gpu.Tests and tests/tools/gpu/Dsl.Gpu.Check, runs every Dsl.Gpu test (the CUDA ones for real where
# ILGPU finds a device) and prints one JSON line per figure: kernel load (first, cached), upload throughput
# (page-locked, pinned pageable), rows/s of the hand-written sample kernel against the same C# loop, how many
# rows of each column differ from C# bit for bit, and for two generated GPU kernels (Dsl.Gpu.Check/CheckPipelines.cs:
# an elementwise filter and map, and a degree-12 polynomial) rows/s on the device against their SIMD kernels on the
# same batches and the values that differ. Without CUDA it says the CUDA figures are skipped.
# Bounded to well under 5 minutes: build 180 s, tests 90 s, figures 60 s.
#   tests/tools/gpu/device-check.sh [emulator-rows] [cuda-rows]
set -uo pipefail
cd "$(dirname "$0")/../../.."
emulator_rows=${1:-1048576}
cuda_rows=${2:-16777216}

if ! command -v dotnet >/dev/null; then
  echo '{"figure":"device-check","error":"dotnet is not on PATH"}'
  exit 1
fi

gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
echo "{\"figure\":\"nvidia-smi\",\"gpu\":\"${gpu:-none}\"}"

for project in tests/Dsl.Gpu.Tests/Dsl.Gpu.Tests.csproj tests/tools/gpu/Dsl.Gpu.Check/Dsl.Gpu.Check.csproj; do
  if ! timeout 180 dotnet build "$project" -c Release -v q -nologo >/tmp/device-check-build.log 2>&1; then
    tail -20 /tmp/device-check-build.log
    echo "{\"figure\":\"build\",\"project\":\"$project\",\"error\":\"build failed (log above)\"}"
    exit 1
  fi
done

timeout 90 dotnet test tests/Dsl.Gpu.Tests -c Release --no-build -nologo --logger "console;verbosity=normal" >/tmp/device-check-tests.log 2>&1
tests_rc=$?
grep -E '^\s+(Passed|Failed|Skipped) |Total tests|Passed!|Failed!|FMA|Mixed' /tmp/device-check-tests.log | tail -80
echo "{\"figure\":\"tests\",\"rc\":$tests_rc}"

timeout 60 dotnet artifacts/bin/Dsl.Gpu.Check/release/Dsl.Gpu.Check.dll "$emulator_rows" "$cuda_rows"
check_rc=$?
echo "{\"figure\":\"figures\",\"rc\":$check_rc}"
[ "$tests_rc" -eq 0 ] && [ "$check_rc" -eq 0 ]

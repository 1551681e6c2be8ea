#!/usr/bin/env bash
# Prepares what a GPU session carries to the device machine, which has no .NET and reaches no NuGet feed: a
# self-contained build of Dsl.Gpu.Check (the figures of device-check.sh) packed into .device/gpu-check.tgz, a folder
# .git/info/exclude ignores. On the device: name .device in the run tool's carry and run
#   tar xzf .device/gpu-check.tgz -C /tmp && /tmp/gpu-check/Dsl.Gpu.Check 1048576 16777216
# The xunit tests (CudaTests) need a .NET host and do not travel; Dsl.Gpu.Check prints the same exactness counts.
set -euo pipefail
cd "$(dirname "$0")/../../.."
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >>"$(git rev-parse --git-path info/exclude)"
out=$(mktemp -d)
if ! dotnet publish tests/tools/gpu/Dsl.Gpu.Check -c Release -r linux-x64 --self-contained -o "$out/gpu-check" -v q -nologo >"$out/publish.log" 2>&1; then
  tail -20 "$out/publish.log" >&2
  exit 1
fi
mkdir -p .device
tar czf .device/gpu-check.tgz -C "$out" gpu-check
rm -rf "$out"
echo ".device/gpu-check.tgz: $(du -h .device/gpu-check.tgz | cut -f1) (the run tool carries at most 64 MiB)"

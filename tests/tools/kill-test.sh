#!/usr/bin/env bash
# Long kill -9 campaign against the commit protocol: runs CrashSafetyTests.KillDuringRun with many seeded kill points
# (CI runs 20). Usage: tests/tools/kill-test.sh [points=120] [seed=20261201]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export DSL_KILL_POINTS="${1:-120}" DSL_KILL_SEED="${2:-20261201}"
dotnet test tests/Dsl.EndToEnd.Tests --filter "FullyQualifiedName~CrashSafetyTests.KillDuringRun" --logger "console;verbosity=detailed"

#!/usr/bin/env bash
# Our Parquet reader and writer against DuckDB on one multi-million-row SNAPPY file of mixed types: reading every
# column (count and sum per column) on one and two threads, and writing the same rows from memory. Each measurement
# runs in its own child process; the table reports the in-process time of the best run, the whole child process's
# wall time, and its peak resident set (VmHWM). DuckDB runs inside the benchmark's own .NET process (libduckdb from the
# DuckDB.NET.Data.Full package), so its in-process time leaves out .NET's start. See docs/benchmarks/parquet.md.
#
# Usage: tests/Dsl.Benchmarks/compare-duckdb.sh [--rows N] [--repeat R] [--dir PATH]
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dotnet build "$repo_root/tests/Dsl.Benchmarks/Dsl.Benchmarks.csproj" -c Release --nologo -v quiet
exec dotnet "$repo_root/artifacts/bin/Dsl.Benchmarks/release/Dsl.Benchmarks.dll" compare "$@"

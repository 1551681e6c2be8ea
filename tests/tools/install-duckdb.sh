#!/usr/bin/env bash
# Installs DuckDB's C library (libduckdb.so) into <repo>/artifacts/duckdb/ for the interop tests.
#
# DuckDB.NET is not reachable from this project's package registry, but the npm registry is: the package
# @duckdb/node-bindings-linux-x64 ships libduckdb.so (the full C API) next to the Node addon. We unpack only
# that file. Idempotent: when the library is already there (and was installed from the same pinned package)
# it returns at once.
#
# Usage: tests/tools/install-duckdb.sh [--force]
# Environment: DSL_DUCKDB_NPM_PACKAGE overrides the pinned package spec (name@version).
set -euo pipefail

readonly default_package='@duckdb/node-bindings-linux-x64@1.5.6-r.1'
package="${DSL_DUCKDB_NPM_PACKAGE:-$default_package}"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
target_dir="$repo_root/artifacts/duckdb"
target="$target_dir/libduckdb.so"
stamp="$target_dir/package.txt"

force=0
if [[ "${1:-}" == "--force" ]]; then
    force=1
fi

fail()
{
    echo "install-duckdb: $*" >&2
    exit 1
}

if [[ $force -eq 0 && -s "$target" && -f "$stamp" && "$(cat "$stamp")" == "$package" ]]; then
    echo "DuckDB ($package) is already installed at $target"
    exit 0
fi

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) fail "only Linux x86-64 is supported (this machine is $(uname -s)-$(uname -m)); install libduckdb.so for your platform into $target yourself." ;;
esac

command -v npm >/dev/null 2>&1 || fail "npm was not found on PATH. Install Node.js (which includes npm) and run this script again, or put libduckdb.so into $target by hand."
command -v tar >/dev/null 2>&1 || fail "tar was not found on PATH; it is needed to unpack the npm package."

work="$(mktemp -d "${TMPDIR:-/tmp}/dsl-duckdb.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "Downloading $package from the npm registry..."
if ! (cd "$work" && npm pack "$package" >pack.out 2>pack.err); then
    grep -v "Unknown user config" "$work/pack.err" >&2 || true
    fail "'npm pack $package' failed (see the npm output above). Check network access to the npm registry and that the version exists ('npm view $package version')."
fi

tarball="$(find "$work" -maxdepth 1 -name '*.tgz' -print -quit)"
[[ -n "$tarball" ]] || fail "'npm pack $package' succeeded but produced no .tgz file in $work."

mkdir -p "$work/x"
tar -xzf "$tarball" -C "$work/x" || fail "could not unpack $tarball."
lib="$(find "$work/x" -name 'libduckdb.so' -type f -print -quit)"
[[ -n "$lib" ]] || fail "the package $package contains no libduckdb.so; pick a version of @duckdb/node-bindings-linux-x64 that ships it."

mkdir -p "$target_dir"
# Copy to a temporary name and rename, so a concurrent reader never sees a half-written library.
cp "$lib" "$target.tmp.$$"
mv -f "$target.tmp.$$" "$target"
echo "$package" > "$stamp"

echo "Installed DuckDB ($package) at $target"

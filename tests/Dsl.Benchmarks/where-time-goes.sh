#!/usr/bin/env bash
# Where a pipeline run's CPU time goes, by phase: samples a whole process with perf (self time per symbol, 999 Hz) and
# sums the symbols into the phases of the pipeline: open, decode, kernel, aggregate or join, encode, compress, write
# (the kernel's file I/O), commit, and the rest (start-up, runtime, GC). Symbols are matched by name (the patterns
# below), so it needs a program with symbols: a NativeAOT program published with -p:StripSymbols=false, or a JIT
# program started with DOTNET_PerfMapEnabled=1.
# Usage: tests/Dsl.Benchmarks/where-time-goes.sh PROGRAM [ARGS...]
#   e.g. tests/Dsl.Benchmarks/where-time-goes.sh /tmp/native/Dsl.Pipeline1 run --input IN --output OUT --parallelism 1
set -euo pipefail
(($# > 0)) || { echo "Usage: $0 PROGRAM [ARGS...]" >&2; exit 2; }
perf=/usr/bin/perf
[[ -x "$perf" ]] || { echo "perf is not installed ($perf)." >&2; exit 1; }
data="$(mktemp)"
trap 'rm -f "$data"' EXIT
DOTNET_PerfMapEnabled=1 "$perf" record -q -F 999 -o "$data" -- "$@" >/dev/null
"$perf" report -i "$data" --no-children --sort symbol -F overhead,sym --stdio 2>/dev/null \
  | awk '
    /^#/ || NF < 2 { next }
    {
      share = $1; sub(/%/, "", share)
      symbol = $0; sub(/^[ \t]*[0-9.]+%[ \t]+/, "", symbol)
      phase = "other (start-up, runtime, GC, scheduling)"
      if (symbol ~ /Snappier|Crc32|Compression|Zstd|Brotli|Deflate|Lz4/) phase = "compress (codec, page checksums)"
      else if (symbol ~ /Snappy__Decode|Reading_|Decoder|__Decode|ColumnConcat|ValidityBitmap|Scatter|Utf8Dictionary|StringColumnBuilder/) phase = "decode (decompress, levels, values, batches)"
      else if (symbol ~ /Writing_|__Encode|Pack32|Pack64|Encoder|PageSpool|AddNarrow|ByteDictionary/) phase = "encode (values, statistics, pages)"
      else if (symbol ~ /Barriers_Aggregation|Barriers_Keys|KeyHash|HyperLogLog|GroupLists|ArraySortHelper|GenericComparer/) phase = "aggregate and fit statistics (hash tables, accumulators, sketches, spills)"
      else if (symbol ~ /Barriers_Joins/) phase = "join"
      else if (symbol ~ /Kernel_|ieee754|Timestamps|__log|__exp|__pow|Validation_/) phase = "kernel (stages, rules)"
      else if (symbol ~ /Metadata|Thrift|Footer|ParquetFileReader__Open/) phase = "open (footers, metadata)"
      else if (symbol ~ /Commit|Durable|Fsync|Manifest/) phase = "commit"
      else if (symbol ~ /^\[k\]/) phase = "write and read (kernel: file I/O, page faults)"
      else if (symbol ~ /memmove|memset|memcpy|Memmove|Buffer__/) phase = "copies (memmove, memset)"
      total[phase] += share
    }
    END {
      print "| phase | share of CPU samples |"
      print "| --- | ---: |"
      n = 0
      for (p in total) order[++n] = p
      # largest first
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (total[order[j]] > total[order[i]]) { t = order[i]; order[i] = order[j]; order[j] = t }
      for (i = 1; i <= n; i++) printf "| %s | %.1f%% |\n", order[i], total[order[i]]
    }'

#!/bin/sh
# Side-by-side Parquet scan benchmark: velo (bench/parquet_bench.cc) and DuckDB (node) on the same
# 10M-row, 10-column file written by DuckDB, 2 threads each.
# Usage: bench/parquet_scan.sh [build-dir]   (needs `cd tests && npm install` once)
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
file=${VELO_BENCH_PARQUET:-/tmp/velo_bench_10m.parquet}
ninja -C "$build" parquet_bench >/dev/null
(cd "$root/tests" && node parquet/duckdb_bench.mjs "$file" 2)
VELO_BENCH_PARQUET="$file" "$build/bench/parquet_bench" --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true

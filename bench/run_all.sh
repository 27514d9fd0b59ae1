#!/usr/bin/env bash
# Every end-to-end benchmark, each against its peer in the same run (numbers: docs/BENCHMARKS.md).
#   bench/run_all.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
bench/1brc.sh "$BUILD" 100000000 2
bench/csv_to_jsonl.sh "$BUILD" 10000000 2
bench/csv_to_jsonl.sh --rss "$BUILD" 5
bench/parquet_scan.sh "$BUILD"
bench/kafka_bench.sh "$BUILD/velo" 1000000

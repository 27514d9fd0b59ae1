#!/usr/bin/env bash
# Nexmark on velostream: every query of bench/nexmark/queries over EVENTS generated events
# (nexmark:// source, bounded by `events`), one worker thread, results into a blackhole sink.
# Prints events/s per core for each query (events / wall seconds at one thread).
#   bench/nexmark/run.sh [build/velo] [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
VELO=${1:-build/velo}
EVENTS=${2:-10000000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# q13's side input (key, value) as in the Flink kit; q10 writes its partitioned files under $TMP.
{ echo "key,value"; for k in $(seq 0 9999); do echo "$k,value-$k"; done; } > "$TMP/side_input.csv"
printf '%-5s %12s %10s %14s %10s\n' query events seconds events/s/core rows_out
for q in bench/nexmark/queries/q*.sql; do
  name=$(basename "$q" .sql)
  { echo "SET parallelism = 1;"; sed -e "s/__EVENTS__/$EVENTS/g" -e "s|__OUT__|$TMP|g" "$q"; } > "$TMP/$name.sql"
  start=$(date +%s.%N)
  out=$(/usr/bin/time -f "%M" "$VELO" run "$TMP/$name.sql" 2>&1) || { echo "$name failed: $out"; continue; }
  end=$(date +%s.%N)
  rows=$(echo "$out" | grep -o 'wrote [0-9]* rows' | grep -o '[0-9]*' | head -1)
  rss=$(echo "$out" | tail -1)
  secs=$(echo "$end - $start" | bc -l)
  printf '%-5s %12d %10.2f %14.0f %10s  (peak RSS %d MB)\n' "$name" "$EVENTS" "$secs" \
    "$(echo "$EVENTS / $secs" | bc -l)" "$rows" "$((rss / 1024))"
done

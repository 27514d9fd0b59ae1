#!/usr/bin/env bash
# CSV -> JSON Lines conversion: velo vs DuckDB (npm) `COPY ... TO (FORMAT json)` on the same
# generated orders-like file, same thread count, in the same run. Prints MB/s of CSV input.
# With --rss it instead filters a large file (default 5 GB) to JSON Lines and reports velo's
# peak RSS (/usr/bin/time -v), which must stay bounded however big the input is.
#   bench/csv_to_jsonl.sh [BUILD_DIR] [ROWS] [THREADS]
#   bench/csv_to_jsonl.sh --rss [BUILD_DIR] [GB]
set -euo pipefail
cd "$(dirname "$0")/.."
RSS=0
if [[ "${1:-}" == "--rss" ]]; then RSS=1; shift; fi
BUILD=${1:-build}
DIR=${VELO_BENCH_DIR:-/tmp/velo-bench}
mkdir -p "$DIR"

# 16 chunk files of CHUNK rows each are generated once and concatenated as needed.
gen_chunk() {  # $1 = rows, $2 = seed, $3 = file
  awk -v n="$1" -v seed="$2" 'BEGIN { srand(seed); split("new paid shipped cancelled", st, " ");
    split("north south east west", rg, " ");
    for (i = 1; i <= n; i++)
      printf "%d,%d,%.2f,%s,%s,2024-%02d-%02d %02d:%02d:%02d,\"note %d, with a comma\"\n",
        seed * n + i, int(rand() * 100000), rand() * 1000, st[int(rand() * 4) + 1],
        rg[int(rand() * 4) + 1], int(rand() * 12) + 1, int(rand() * 28) + 1, int(rand() * 24),
        int(rand() * 60), int(rand() * 60), i }' > "$3"
}
HEADER="order_id,customer_id,amount,status,region,ordered_at,note"

if [[ $RSS == 1 ]]; then
  GB=${2:-5}
  FILE="$DIR/big-${GB}g.csv"
  if [[ ! -f "$FILE" ]]; then
    [[ -f "$DIR/chunk-10m.csv" ]] || gen_chunk 10000000 7 "$DIR/chunk-10m.csv"
    chunk=$(stat -c %s "$DIR/chunk-10m.csv")
    copies=$(((GB * 1000000000 + chunk - 1) / chunk))
    { echo "$HEADER"; for _ in $(seq "$copies"); do cat "$DIR/chunk-10m.csv"; done; } > "$FILE.tmp"
    mv "$FILE.tmp" "$FILE"
  fi
  SIZE=$(stat -c %s "$FILE")
  rm -rf "$DIR/rss-out"
  /usr/bin/time -v "$BUILD/velo" query "SELECT order_id, amount, region, note FROM '$FILE'
      WHERE amount > 990 AND status = 'paid' INTO '$DIR/rss-out/filtered.jsonl'" 2> "$DIR/rss.log" >/dev/null
  rss_kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$DIR/rss.log")
  wall=$(awk '/Elapsed \(wall clock\)/ { print $NF }' "$DIR/rss.log")
  rows=$(wc -l < "$DIR/rss-out/filtered.jsonl")
  printf "csv filter -> jsonl: input %.2f GB, %d rows out, peak RSS %.0f MB, wall %s\n" \
    "$(echo "$SIZE/1000000000" | bc -l)" "$rows" "$(echo "$rss_kb/1024" | bc -l)" "$wall"
  exit 0
fi

ROWS=${2:-10000000}
THREADS=${3:-2}
FILE="$DIR/orders-$ROWS.csv"
if [[ ! -f "$FILE" ]]; then
  gen_chunk "$ROWS" 3 "$FILE.body"
  { echo "$HEADER"; cat "$FILE.body"; } > "$FILE.tmp" && rm "$FILE.body" && mv "$FILE.tmp" "$FILE"
fi
SIZE=$(stat -c %s "$FILE")
rm -rf "$DIR/velo-jsonl" "$DIR/duck.jsonl"

start=$(date +%s.%N)
"$BUILD/velo" query --threads "$THREADS" "SELECT * FROM '$FILE' INTO '$DIR/velo-jsonl/out.jsonl'" 2>/dev/null
end=$(date +%s.%N)
velo_s=$(echo "$end - $start" | bc -l)

cat > tests/.bench-duck-copy.mjs <<JS
import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:', { threads: '$THREADS' });
const c = await inst.connect();
const t0 = process.hrtime.bigint();
await c.run(\`COPY (SELECT * FROM read_csv('$FILE')) TO '$DIR/duck.jsonl' (FORMAT json)\`);
console.log(Number(process.hrtime.bigint() - t0) / 1e9);
JS
duck_s=$(node tests/.bench-duck-copy.mjs)
rm -f tests/.bench-duck-copy.mjs
velo_rows=$(wc -l < "$DIR/velo-jsonl/out.jsonl")
duck_rows=$(wc -l < "$DIR/duck.jsonl")
printf "csv -> jsonl rows=%d size=%.1fMB threads=%s\n" "$ROWS" "$(echo "$SIZE/1000000" | bc -l)" "$THREADS"
printf "  velo:   %6.2fs  %7.1f MB/s  (%d rows)\n" "$velo_s" "$(echo "$SIZE/1000000/$velo_s" | bc -l)" "$velo_rows"
printf "  duckdb: %6.2fs  %7.1f MB/s  (%d rows)\n" "$duck_s" "$(echo "$SIZE/1000000/$duck_s" | bc -l)" "$duck_rows"

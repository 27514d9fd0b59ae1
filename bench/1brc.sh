#!/usr/bin/env bash
# The 1BRC query over a generated `station;temperature` file: velo vs DuckDB (npm) in the same run
# on the same file, both limited to the same number of threads. Prints rows/s for each.
#   bench/1brc.sh [BUILD_DIR] [ROWS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
ROWS=${2:-100000000}
THREADS=${3:-2}
DIR=${VELO_BENCH_DIR:-/tmp/velo-bench}
mkdir -p "$DIR"
FILE="$DIR/measurements-$ROWS.txt"
if [[ ! -f "$FILE" ]]; then
  echo "generating $ROWS rows into $FILE ..."
  "$BUILD/bench/gen_1brc" "$ROWS" "$FILE.tmp" && mv "$FILE.tmp" "$FILE"
fi
SIZE=$(stat -c %s "$FILE")
SQL_VELO="SELECT station, MIN(t) AS min, AVG(t) AS mean, MAX(t) AS max FROM '$FILE' WITH (delimiter = ';', header = false, schema = 'station STRING, t DOUBLE') GROUP BY station ORDER BY station"
start=$(date +%s.%N)
"$BUILD/velo" query --threads "$THREADS" --format csv "$SQL_VELO" > "$DIR/velo.out"
end=$(date +%s.%N)
velo_s=$(echo "$end - $start" | bc -l)

cat > "$DIR/duck.mjs" <<JS
import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:', { threads: '$THREADS' });
const c = await inst.connect();
const t0 = process.hrtime.bigint();
const r = await c.runAndReadAll(\`SELECT station, MIN(t), AVG(t), MAX(t) FROM read_csv('$FILE', delim = ';', header = false, columns = {'station': 'VARCHAR', 't': 'DOUBLE'}) GROUP BY station ORDER BY station\`);
const t1 = process.hrtime.bigint();
console.log(r.getRows().length, Number(t1 - t0) / 1e9);
JS
cp "$DIR/duck.mjs" tests/.bench-duck.mjs
read -r duck_groups duck_s < <(node tests/.bench-duck.mjs)
rm -f tests/.bench-duck.mjs
velo_groups=$(($(wc -l < "$DIR/velo.out") - 1))
printf "1brc rows=%d size=%.1fMB threads=%s\n" "$ROWS" "$(echo "$SIZE/1000000" | bc -l)" "$THREADS"
printf "  velo:   %6.2fs  %12.0f rows/s  (%d stations)\n" "$velo_s" "$(echo "$ROWS/$velo_s" | bc -l)" "$velo_groups"
printf "  duckdb: %6.2fs  %12.0f rows/s  (%d stations)\n" "$duck_s" "$(echo "$ROWS/$duck_s" | bc -l)" "$duck_groups"

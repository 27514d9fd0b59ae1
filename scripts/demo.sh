#!/usr/bin/env bash
# Runs examples/demo.sql on embedded defaults: generated local CSV files and the built-in
# development Kafka broker (`velo dev kafka`), then shows the results.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
VELO="$REPO/$BUILD/velo"
[[ -x "$VELO" ]] || VELO="$BUILD/velo"
DIR=$(mktemp -d /tmp/velo-demo.XXXXXX)
mkdir -p "$DIR/data" "$DIR/out"

echo "== generating data in $DIR/data"
for part in 1 2 3; do
  awk -v part=$part 'BEGIN {
    srand(part); print "order_id,customer_id,amount,status,ordered_at";
    split("new paid shipped cancelled", st, " ");
    for (i = 1; i <= 20000; i++) {
      printf "%d,%d,%.2f,%s,2024-03-%02d %02d:%02d:00\n", (part - 1) * 20000 + i, int(rand() * 500) + 1,
             rand() * 1000, st[int(rand() * 4) + 1], int(rand() * 28) + 1, int(rand() * 24), int(rand() * 60) }
  }' > "$DIR/data/orders-$part.csv"
done
awk 'BEGIN { srand(9); print "customer_id,name,segment";
  split("gold silver bronze", sg, " ");
  for (c = 1; c <= 500; c++) printf "%d,Customer %03d,%s\n", c, c, sg[int(rand() * 3) + 1] }' > "$DIR/data/customers.csv"

echo "== starting the development Kafka broker"
"$VELO" dev kafka --topic high_value_orders:4 --bootstrap-file "$DIR/bootstrap" > "$DIR/kafka.log" 2>&1 &
KAFKA_PID=$!
trap 'kill $KAFKA_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [[ -s "$DIR/bootstrap" ]] && break; sleep 0.1; done
[[ -s "$DIR/bootstrap" ]] || { cat "$DIR/kafka.log"; echo "dev kafka did not start"; exit 1; }
BOOTSTRAP=$(cat "$DIR/bootstrap")
echo "   bootstrap: $BOOTSTRAP"

echo "== velo run examples/demo.sql"
cd "$DIR"
"$VELO" run --default-kafka "$BOOTSTRAP" "$REPO/examples/demo.sql"
echo
echo "Output files are in $DIR/out. Try:  $VELO query \"SELECT * FROM '$DIR/out/*.jsonl' LIMIT 5\""

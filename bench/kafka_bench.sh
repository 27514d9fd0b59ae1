#!/usr/bin/env bash
# Kafka -> filter -> Kafka throughput of velo vs a raw `kcat -C | kcat -P` pipe, both on the same
# `velo dev kafka` broker in the same run (issue 4; target: velo >= 80% of the pipe's rate).
# 100-byte JSON messages; many partitions because the mock keeps only ~5 MiB per partition.
# Then the same rows as Avro in the Confluent wire format (schema id per message, schemas from a
# registry stand-in): Avro -> filter -> Avro. kcat cannot pipe binary values line by line, so the
# Avro run has no pipe to compare with.
# Usage: bench/kafka_bench.sh [path/to/velo] [messages]
set -euo pipefail
VELO=$(realpath "${1:-build/velo}")
HERE=$(cd "$(dirname "$0")" && pwd)
N=${2:-1000000}
PARTS=32
WORK=$(mktemp -d /tmp/velo-kafka-bench.XXXXXX)
BROKER=
REGISTRY=
cleanup() {
  [[ -n $BROKER ]] && kill "$BROKER" 2>/dev/null
  [[ -n $REGISTRY ]] && kill "$REGISTRY" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$VELO" dev kafka --topic in:$PARTS --topic pipe_out:$PARTS --topic velo_out:$PARTS \
  --topic avro_in:$PARTS --topic avro_out:$PARTS \
  --bootstrap-file "$WORK/bootstrap" > "$WORK/broker.log" 2>&1 &
BROKER=$!
for _ in $(seq 100); do [[ -s $WORK/bootstrap ]] && break; sleep 0.1; done
BS=$(cat "$WORK/bootstrap")

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
count() { kcat -C -b "$BS" -t "$1" -e -q -f 'x\n' | wc -l; }

# ~100-byte JSON messages, keyed so they spread evenly over the partitions.
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
  printf "%d:{\"id\":%d,\"user\":\"user_%05d\",\"amount\":%d.%02d,\"note\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n",
         i, i, i % 100000, i % 1000, i % 100 }' > "$WORK/in.txt"
kcat -P -b "$BS" -t in -K: -l "$WORK/in.txt"
echo "in: $(count in) messages of $N produced, ($(awk '{ s += length($0) - index($0, ":") } END { printf "%.0f", s / NR }' "$WORK/in.txt") bytes of value each), $PARTS partitions"


t0=$(now)
kcat -C -b "$BS" -t in -e -q -o beginning -f '%k:%s\n' | kcat -P -b "$BS" -t pipe_out -K:
t1=$(now)
PIPE_N=$(count pipe_out)
PIPE_RATE=$(rate "$PIPE_N" "$t0" "$t1")
echo "kcat | kcat:            $PIPE_N msgs in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s = $PIPE_RATE msg/s"

# Keys are kept on both sides (the mock drops the oldest data of a partition above ~5 MiB, so
# the sticky partitioner of unkeyed messages would lose some). amount >= 0 keeps every row, so both sides move the same messages; the filter is still evaluated.
t0=$(now)
"$VELO" query "SELECT * FROM 'kafka://$BS/in' WITH (until = 'latest',
                 schema = 'id BIGINT, user STRING, amount DECIMAL(10,2), note STRING')
               WHERE amount >= 0 INTO 'kafka://$BS/velo_out' WITH (key = 'id')" > "$WORK/velo.log" 2>&1 \
  || { cat "$WORK/velo.log"; exit 1; }
t1=$(now)
VELO_N=$(count velo_out)
VELO_RATE=$(rate "$VELO_N" "$t0" "$t1")
echo "velo filter:            $VELO_N msgs in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s = $VELO_RATE msg/s"
echo "velo / pipe:            $(awk -v a="$VELO_RATE" -v b="$PIPE_RATE" 'BEGIN { printf "%.0f%%", 100 * a / b }') (target >= 80%)"

# ---- Avro: the same rows, Confluent-framed, through a registry stand-in ----------------------
/usr/bin/python3 "$HERE/../tests/integration/kafka/schema_registry_stub.py" "$WORK/registry.port" &
REGISTRY=$!
for _ in $(seq 50); do [[ -s $WORK/registry.port ]] && break; sleep 0.1; done
REG="http://127.0.0.1:$(cat "$WORK/registry.port")"
AVRO="format = 'avro', schema_registry = '$REG'"
# Not timed: velo writes the Avro input (registering avro_in-value) from the JSON topic.
"$VELO" query "SELECT * FROM 'kafka://$BS/in' WITH (until = 'latest',
                 schema = 'id BIGINT, user STRING, amount DOUBLE, note STRING')
               INTO 'kafka://$BS/avro_in' WITH (key = 'id', $AVRO)" > "$WORK/avro_in.log" 2>&1 \
  || { cat "$WORK/avro_in.log"; exit 1; }
echo "avro_in: $(count avro_in) Avro messages"
t0=$(now)
"$VELO" query "SELECT * FROM 'kafka://$BS/avro_in' WITH (until = 'latest', $AVRO)
               WHERE amount >= 0 INTO 'kafka://$BS/avro_out' WITH (key = 'id', $AVRO)" \
  > "$WORK/velo_avro.log" 2>&1 || { cat "$WORK/velo_avro.log"; exit 1; }
t1=$(now)
AVRO_N=$(count avro_out)
AVRO_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
echo "velo avro filter:       $AVRO_N msgs in $AVRO_S s = $(rate "$AVRO_N" "$t0" "$t1") msg/s"

#!/usr/bin/env bash
# Kafka end-to-end tests (issue 4) against `velo dev kafka` (librdkafka's mock cluster):
#   1. data produced by kcat and by python3-kafka (independent clients) -> a velo query with a
#      filter -> a Kafka topic, consumed by kcat and compared exactly (as sorted lines);
#   2. two velo instances in one consumer group on a 6-partition topic split the work; one is
#      killed with -9 mid-stream; the survivor finishes and no record is lost (compared as sets).
# Usage: tests/integration/kafka/run.sh [path/to/velo]     Needs kcat, /usr/bin/python3 + kafka.
set -euo pipefail
VELO=$(realpath "${1:-build/velo}")
WORK=$(mktemp -d /tmp/velo-kafka-it.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$VELO" dev kafka --topic in:6 --topic out:1 --topic big:6 --topic out2:1 \
  --bootstrap-file "$WORK/bootstrap" > "$WORK/broker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [[ -s $WORK/bootstrap ]] && break; sleep 0.1; done
BS=$(cat "$WORK/bootstrap") || fail "dev broker did not start: $(cat "$WORK/broker.log")"
echo "broker: $BS"

# ---- 1. kcat + python3-kafka -> velo (filter) -> kcat ----------------------------------------
/usr/bin/python3 - "$BS" "$WORK" <<'PY'
import json, sys
from kafka import KafkaProducer
bs, work = sys.argv[1], sys.argv[2]
with open(f"{work}/kcat_in.txt", "w") as f:          # half for kcat
    for i in range(0, 1000):
        f.write(json.dumps({"id": i, "amount": round(i * 0.37, 2), "who": f"kcat{i}"}) + "\n")
p = KafkaProducer(bootstrap_servers=bs, api_version=(2, 5))  # half from python3-kafka
for i in range(1000, 2000):
    p.send("in", json.dumps({"id": i, "amount": round(i * 0.37, 2), "who": f"py{i}"}).encode())
p.flush()
expected = [json.dumps({"id": i, "amount": round(i * 0.37, 2)}, separators=(",", ":"))
            for i in range(2000) if round(i * 0.37, 2) > 100]
open(f"{work}/expected.txt", "w").write("".join(sorted(l + "\n" for l in expected)))
PY
kcat -P -b "$BS" -t in -l "$WORK/kcat_in.txt"

"$VELO" query "SELECT id, amount FROM 'kafka://$BS/in' WITH (until = 'latest') WHERE amount > 100
               INTO 'kafka://$BS/out'" > "$WORK/q1.log" 2>&1 || fail "query 1: $(cat "$WORK/q1.log")"
kcat -C -b "$BS" -t out -e -q | sort > "$WORK/got.txt"
diff -u "$WORK/expected.txt" "$WORK/got.txt" > "$WORK/diff.txt" || fail "output differs: $(head -20 "$WORK/diff.txt")"
echo "ok 1: kcat + python3-kafka -> velo filter -> kcat: $(wc -l < "$WORK/got.txt") rows match"

# ---- 2. two instances, one group, kill -9 one mid-stream ----------------------------------
seq 0 19999 | awk '{printf "k%d:{\"id\":%d,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n", $1, $1}' \
  | kcat -P -b "$BS" -t big -K:
# rate_limit keeps both instances busy long enough to kill one mid-stream.
JOB="SELECT id FROM 'kafka://$BS/big' WITH (group_id = 'velo-it', until = 'latest',
       kafka.session.timeout.ms = '6000', kafka.heartbeat.interval.ms = '500')
     INTO 'kafka://$BS/out2' WITH (rate_limit = 1500)"
"$VELO" query "$JOB" > "$WORK/a.log" 2>&1 &
A=$!
PIDS+=($A)
"$VELO" query "$JOB" > "$WORK/b.log" 2>&1 &
B=$!
PIDS+=($B)
sleep 6  # both joined (the mock's first join takes ~3 s) and are writing
kill -9 "$A"
wait "$B" || fail "survivor failed: $(cat "$WORK/b.log")"
kcat -C -b "$BS" -t out2 -e -q | /usr/bin/python3 -c '
import json, sys
ids = {json.loads(l)["id"] for l in sys.stdin if l.strip()}
missing = set(range(20000)) - ids
print(f"{len(ids)} distinct ids, {len(missing)} missing")
sys.exit(1 if missing else 0)' > "$WORK/check.txt" || fail "records lost: $(cat "$WORK/check.txt")"
echo "ok 2: kill -9 of one group member mid-stream, survivor finished: $(cat "$WORK/check.txt")"
echo "PASS"

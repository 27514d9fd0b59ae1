#!/usr/bin/env bash
# Kafka end-to-end tests (issue 4) against `velo dev kafka` (librdkafka's mock cluster):
#   1. data produced by kcat and by python3-kafka (independent clients) -> a velo query with a
#      filter -> a Kafka topic, consumed by kcat and compared exactly (as sorted lines);
#   2. two velo instances in one consumer group on a 6-partition topic split the work; one is
#      killed with -9 mid-stream; the survivor finishes and no record is lost (compared as sets);
#   3. Confluent-framed Avro written by python3-avro against a schema registry stand-in -> a velo
#      query (format = 'avro') -> Avro messages, decoded by python3-avro and compared exactly.
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
# ---- 3. Avro + schema registry: python3-avro (Confluent framing) -> velo -> python3-avro -------
# A stand-in for the Confluent Schema Registry (python http.server on 127.0.0.1 serving the REST
# calls velo makes), used only because no Schema Registry can be installed here.
cat > "$WORK/registry.py" <<'PY'
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
schemas, subjects, lock = {}, {}, threading.Lock()
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        p = self.path.split("/")
        with lock:
            if p[1:3] == ["schemas", "ids"] and int(p[3]) in schemas:
                return self.answer(200, {"schema": schemas[int(p[3])]})
            if p[1] == "subjects" and p[3:] == ["versions", "latest"] and p[2] in subjects:
                i = subjects[p[2]][-1]
                return self.answer(200, {"subject": p[2], "version": len(subjects[p[2]]),
                                         "id": i, "schema": schemas[i]})
        self.answer(404, {"error_code": 40401, "message": "not found"})
    def do_POST(self):
        p = self.path.split("/")
        schema = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["schema"]
        with lock:
            i = next((k for k, v in schemas.items() if v == schema), len(schemas) + 1)
            schemas[i] = schema
            subjects.setdefault(p[2], []).append(i)
        self.answer(200, {"id": i})
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
/usr/bin/python3 "$WORK/registry.py" "$WORK/registry.port" &
PIDS+=($!)
for _ in $(seq 50); do [[ -s $WORK/registry.port ]] && break; sleep 0.1; done
REG="http://127.0.0.1:$(cat "$WORK/registry.port")"
/usr/bin/python3 - "$BS" "$REG" "$WORK" <<'PY'
import io, json, struct, sys, urllib.request
import avro.io, avro.schema
from kafka import KafkaProducer
bs, reg, work = sys.argv[1:4]
schema = json.dumps({"type": "record", "name": "Trade", "fields": [
    {"name": "id", "type": "long"}, {"name": "sym", "type": "string"},
    {"name": "qty", "type": "int"}, {"name": "px", "type": "double"},
    {"name": "venue", "type": ["null", "string"], "default": None}]})
req = urllib.request.Request(f"{reg}/subjects/avin-value/versions", method="POST",
                             data=json.dumps({"schema": schema}).encode(),
                             headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
sid = json.load(urllib.request.urlopen(req))["id"]
w = avro.io.DatumWriter(avro.schema.parse(schema))
p = KafkaProducer(bootstrap_servers=bs, api_version=(2, 5))
expected = []
for i in range(3000):
    d = {"id": i, "sym": f"S{i % 17}", "qty": i % 50, "px": i * 0.5,
         "venue": None if i % 4 == 0 else f"v{i % 3}"}
    buf = io.BytesIO()
    buf.write(struct.pack(">bI", 0, sid))
    w.write(d, avro.io.BinaryEncoder(buf))
    p.send("avin", buf.getvalue())
    if d["qty"] > 40:
        expected.append(json.dumps([d["id"], d["sym"], d["qty"] * d["px"], d["venue"]]))
p.flush()
open(f"{work}/avro_expected.txt", "w").write("".join(sorted(l + "\n" for l in expected)))
PY
"$VELO" query "SELECT id, sym, qty * px AS notional, venue
               FROM 'kafka://$BS/avin' WITH (format = 'avro', schema_registry = '$REG',
                                             until = 'latest')
               WHERE qty > 40
               INTO 'kafka://$BS/avout' WITH (format = 'avro', schema_registry = '$REG')" \
  > "$WORK/q3.log" 2>&1 || fail "query 3: $(cat "$WORK/q3.log")"
kcat -C -b "$BS" -t avout -e -q -f '%S\n%s' > "$WORK/avout.bin"
/usr/bin/python3 - "$REG" "$WORK" <<'PY' > "$WORK/avro_got.txt" || fail "decoding avout failed"
import io, json, struct, sys, urllib.request
import avro.io, avro.schema
reg, work = sys.argv[1:3]
raw, pos, readers, out = open(f"{work}/avout.bin", "rb").read(), 0, {}, []
while pos < len(raw):
    nl = raw.index(b"\n", pos)
    n = int(raw[pos:nl]); msg = raw[nl + 1:nl + 1 + n]; pos = nl + 1 + n
    magic, sid = struct.unpack(">bI", msg[:5])
    assert magic == 0
    if sid not in readers:  # the schema velo registered for avout-value
        s = json.load(urllib.request.urlopen(f"{reg}/schemas/ids/{sid}"))["schema"]
        readers[sid] = avro.io.DatumReader(avro.schema.parse(s))
    d = readers[sid].read(avro.io.BinaryDecoder(io.BytesIO(msg[5:])))
    out.append(json.dumps([d["id"], d["sym"], d["notional"], d["venue"]]))
latest = json.load(urllib.request.urlopen(f"{reg}/subjects/avout-value/versions/latest"))
assert set(readers) == {latest["id"]}, (readers.keys(), latest)
sys.stdout.write("".join(sorted(l + "\n" for l in out)))
PY
diff -u "$WORK/avro_expected.txt" "$WORK/avro_got.txt" > "$WORK/avro_diff.txt" \
  || fail "avro output differs: $(head -20 "$WORK/avro_diff.txt")"
echo "ok 3: python3-avro (Confluent framing, registry) -> velo avro filter -> avro read back: $(wc -l < "$WORK/avro_got.txt") rows match"
echo "PASS"

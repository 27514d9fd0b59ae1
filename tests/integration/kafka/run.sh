#!/usr/bin/env bash
# Kafka end-to-end tests (issue 4) against `velo dev kafka` (librdkafka's mock cluster):
#   1. data produced by kcat and by python3-kafka (independent clients) -> a velo query with a
#      filter -> a Kafka topic, consumed by kcat and compared exactly (as sorted lines);
#   2. two velo instances in one consumer group on a 6-partition topic split the work; one is
#      killed with -9 mid-stream; the survivor finishes and no record is lost (compared as sets);
#   3. Confluent-framed Avro written by python3-avro against a schema registry stand-in -> a velo
#      query (format = 'avro') -> Avro messages, decoded by python3-avro and compared exactly;
#   4. JSON Schema messages from Confluent's JSONSerializer -> velo (format = 'json' + registry)
#      -> framed JSON read back (and validated) by Confluent's JSONDeserializer;
#   5. protobuf from Confluent's ProtobufSerializer -> velo (format = 'protobuf') -> protobuf read
#      back by ProtobufDeserializer with classes protoc generated from velo's registered .proto.
# Usage: tests/integration/kafka/run.sh [path/to/velo]
# Needs kcat, protoc, /usr/bin/python3 with kafka, confluent_kafka, avro, protobuf.
set -euo pipefail
VELO=$(realpath "${1:-build/velo}")
HERE=$(cd "$(dirname "$0")" && pwd)
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
# schema_registry_stub.py stands in for the Confluent Schema Registry (none can be installed here).
/usr/bin/python3 "$HERE/schema_registry_stub.py" "$WORK/registry.port" &
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
# ---- 4. JSON Schema: Confluent's JSONSerializer -> velo (format = 'json' + registry) -> velo's
# JSON Schema sink -> Confluent's JSONDeserializer, which validates every message --------------
/usr/bin/python3 - "$BS" "$REG" "$WORK" <<'PY'
import json, sys
from confluent_kafka import SerializingProducer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.json_schema import JSONSerializer
bs, reg, work = sys.argv[1:4]
schema = json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "title": "Trade",
    "type": "object", "required": ["id", "sym", "qty", "px"], "properties": {
    "id": {"type": "integer"}, "sym": {"type": "string"}, "qty": {"type": "integer"},
    "px": {"type": "number"}, "ts": {"type": "string", "format": "date-time"},
    "venue": {"type": ["null", "string"]}}})
p = SerializingProducer({"bootstrap.servers": bs,
                         "value.serializer": JSONSerializer(schema, SchemaRegistryClient({"url": reg}))})
expected = []
for i in range(3000):
    d = {"id": i, "sym": f"S{i % 17}", "qty": i % 50, "px": i * 0.25,
         "ts": f"2024-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z", "venue": None if i % 4 == 0 else f"v{i % 3}"}
    p.produce("jsin", value=d)
    if d["qty"] > 40:
        expected.append(json.dumps({"id": i, "sym": d["sym"], "notional": d["qty"] * d["px"],
                                    "ts": d["ts"].replace("T", " ").rstrip("Z"), "venue": d["venue"]},
                                   sort_keys=True))
p.flush(30)
open(f"{work}/js_expected.txt", "w").write("".join(sorted(l + "\n" for l in expected)))
PY
"$VELO" query "SELECT id, sym, qty * px AS notional, ts, venue
               FROM 'kafka://$BS/jsin' WITH (format = 'json', schema_registry = '$REG', until = 'latest')
               WHERE qty > 40
               INTO 'kafka://$BS/jsout' WITH (format = 'json', schema_registry = '$REG')" \
  > "$WORK/q4.log" 2>&1 || fail "query 4: $(cat "$WORK/q4.log")"
kcat -C -b "$BS" -t jsout -e -q -f '%S\n%s' > "$WORK/jsout.bin"
/usr/bin/python3 - "$REG" "$WORK" <<'PY' > "$WORK/js_got.txt" || fail "decoding jsout failed"
import json, struct, sys, urllib.request
from confluent_kafka.schema_registry.json_schema import JSONDeserializer
reg, work = sys.argv[1:3]
raw, pos, readers, out = open(f"{work}/jsout.bin", "rb").read(), 0, {}, []
while pos < len(raw):
    nl = raw.index(b"\n", pos)
    n = int(raw[pos:nl]); msg = raw[nl + 1:nl + 1 + n]; pos = nl + 1 + n
    sid = struct.unpack(">bI", msg[:5])[1]
    if sid not in readers:  # the JSON Schema velo registered for jsout-value
        answer = json.load(urllib.request.urlopen(f"{reg}/schemas/ids/{sid}"))
        assert answer["schemaType"] == "JSON", answer
        readers[sid] = JSONDeserializer(answer["schema"])
    out.append(json.dumps(readers[sid](msg, None), sort_keys=True))
sys.stdout.write("".join(sorted(l + "\n" for l in out)))
PY
diff -u "$WORK/js_expected.txt" "$WORK/js_got.txt" > "$WORK/js_diff.txt" \
  || fail "json schema output differs: $(head -20 "$WORK/js_diff.txt")"
echo "ok 4: JSONSerializer (JSON Schema, registry) -> velo filter -> JSONDeserializer: $(wc -l < "$WORK/js_got.txt") rows match"

# ---- 5. Protobuf: Confluent's ProtobufSerializer (protoc-generated classes) -> velo
# (format = 'protobuf') -> velo's protobuf sink -> ProtobufDeserializer with classes protoc
# generates from the .proto text velo registered --------------------------------------------
mkdir -p "$WORK/pb"
cat > "$WORK/pb/trade.proto" <<'PROTO'
syntax = "proto3";
package it;
import "google/protobuf/timestamp.proto";
message Trade {
  int64 id = 1;
  string sym = 2;
  google.protobuf.Timestamp ts = 3;
  repeated int32 tags = 4;
  Venue venue = 5;
  Side side = 6;
  map<string, int64> attrs = 7;
  message Venue { string code = 1; int32 lane = 2; }
  enum Side { BUY = 0; SELL = 1; }
}
PROTO
protoc -I"$WORK/pb" --python_out="$WORK/pb" "$WORK/pb/trade.proto"
/usr/bin/python3 - "$BS" "$REG" "$WORK" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[3] + "/pb")
import trade_pb2
from confluent_kafka import SerializingProducer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.protobuf import ProtobufSerializer
bs, reg, work = sys.argv[1:4]
ser = ProtobufSerializer(trade_pb2.Trade, SchemaRegistryClient({"url": reg}))
p = SerializingProducer({"bootstrap.servers": bs, "value.serializer": ser})
expected = []
for i in range(3000):
    t = trade_pb2.Trade(id=i, sym=f"S{i % 13}", tags=list(range(i % 4)), side=1 if i % 3 == 0 else 0)
    t.ts.FromSeconds(1704067200 + i)
    if i % 5: t.venue.code = f"V{i % 7}"; t.venue.lane = i % 9
    if i % 2: t.attrs["n"] = i
    p.produce("pbin", value=t)
    if t.side == trade_pb2.Trade.SELL:
        # velo's columns are nullable, so its scalars are proto3 `optional`: set ones show even
        # when 0; empty repeated fields and maps do not.
        e = {"id": str(i), "sym": t.sym, "ts": t.ts.ToJsonString()}
        if t.tags: e["tags"] = list(t.tags)
        if i % 5: e["venue"] = {"code": t.venue.code, "lane": t.venue.lane}
        if i % 2: e["attrs"] = {"n": str(i)}
        expected.append(json.dumps(e, sort_keys=True))
p.flush(30)
open(f"{work}/pb_expected.txt", "w").write("".join(sorted(l + "\n" for l in expected)))
PY
"$VELO" query "SELECT id, sym, ts, tags, venue, attrs
               FROM 'kafka://$BS/pbin' WITH (format = 'protobuf', schema_registry = '$REG', until = 'latest')
               WHERE side = 'SELL'
               INTO 'kafka://$BS/pbout' WITH (format = 'protobuf', schema_registry = '$REG',
                                              record_name = 'it.Out')" \
  > "$WORK/q5.log" 2>&1 || fail "query 5: $(cat "$WORK/q5.log")"
/usr/bin/python3 - "$REG" "$WORK" <<'PY' || fail "fetching velo's .proto failed"
import json, sys, urllib.request
reg, work = sys.argv[1:3]
answer = json.load(urllib.request.urlopen(f"{reg}/subjects/pbout-value/versions/latest"))
assert answer["schemaType"] == "PROTOBUF", answer
open(f"{work}/pb/velo_out.proto", "w").write(answer["schema"])
PY
protoc -I"$WORK/pb" --python_out="$WORK/pb" "$WORK/pb/velo_out.proto" || fail "protoc rejects velo's schema"
kcat -C -b "$BS" -t pbout -e -q -f '%S\n%s' > "$WORK/pbout.bin"
/usr/bin/python3 - "$WORK" <<'PY' > "$WORK/pb_got.txt" || fail "decoding pbout failed"
import json, sys
sys.path.insert(0, sys.argv[1] + "/pb")
import velo_out_pb2
from google.protobuf.json_format import MessageToDict
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer
d = ProtobufDeserializer(velo_out_pb2.Out)
raw, pos, out = open(sys.argv[1] + "/pbout.bin", "rb").read(), 0, []
while pos < len(raw):
    nl = raw.index(b"\n", pos)
    n = int(raw[pos:nl]); msg = raw[nl + 1:nl + 1 + n]; pos = nl + 1 + n
    out.append(json.dumps(MessageToDict(d(msg, None)), sort_keys=True))
sys.stdout.write("".join(sorted(l + "\n" for l in out)))
PY
diff -u "$WORK/pb_expected.txt" "$WORK/pb_got.txt" > "$WORK/pb_diff.txt" \
  || fail "protobuf output differs: $(head -20 "$WORK/pb_diff.txt")"
echo "ok 5: ProtobufSerializer (registry) -> velo filter -> protobuf read back by ProtobufDeserializer: $(wc -l < "$WORK/pb_got.txt") rows match"
echo "PASS"

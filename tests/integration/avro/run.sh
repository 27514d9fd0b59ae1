#!/usr/bin/env bash
# Avro end-to-end against independent implementations:
#   1. python3-avro (the Apache reference implementation for Python) writes one file per codec
#      (null, deflate, snappy, zstandard) with primitive, logical, nullable and nested types;
#   2. velo reads each of them (COUNT/SUM checked against Python's numbers) and writes them
#      back as Avro with every codec (`SELECT * ... INTO 'x.avro' WITH (compression=...)`);
#   3. python3-avro reads every velo-written file: all values must equal the originals exactly;
#   4. avrocat (Apache Avro C, no zstandard) prints every velo-written file as Avro JSON: it must
#      equal Python's rendering of the original records under the schema velo wrote.
# Usage: tests/integration/avro/run.sh [path/to/velo]
# Needs /usr/bin/python3 with avro, snappy, zstandard (Debian python3-avro python3-snappy
# python3-zstandard) and avrocat (avro-bin); installs them with apt-get when missing and root.
set -euo pipefail
VELO=$(realpath "${1:-build/velo}")
PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/velo-avro-it.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

if ! command -v avrocat >/dev/null || ! $PY -c 'import avro, snappy, zstandard' 2>/dev/null; then
  if [[ $(id -u) == 0 ]]; then
    apt-get install -y -q avro-bin python3-avro python3-snappy python3-zstandard >/dev/null ||
      fail "cannot install avro-bin python3-avro python3-snappy python3-zstandard"
  else
    fail "needs avrocat and /usr/bin/python3 with avro, snappy, zstandard"
  fi
fi

N=3000
CODECS="null deflate snappy zstandard"
PASSED=0
FAILED=0
check() {  # name, command...
  local name=$1
  shift
  if "$@" >"$WORK/check.log" 2>&1; then
    PASSED=$((PASSED + 1))
    echo "ok   $name"
  else
    FAILED=$((FAILED + 1))
    echo "FAIL $name"
    sed 's/^/     /' "$WORK/check.log" | head -20
  fi
}

# ---- shared Python helpers ----------------------------------------------------------------------
cat >"$WORK/avro_it.py" <<'PY'
import datetime, decimal, json, random, sys
import avro.datafile, avro.io, avro.schema

SCHEMA = {
    "type": "record", "name": "Order", "namespace": "it",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "qty", "type": "int"},
        {"name": "name", "type": "string"},
        {"name": "amount", "type": "double"},
        {"name": "ratio", "type": "float"},
        {"name": "ok", "type": "boolean"},
        {"name": "note", "type": ["null", "string"]},
        {"name": "blob", "type": "bytes"},
        {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "attrs", "type": {"type": "map", "values": "long"}},
        {"name": "addr", "type": {"type": "record", "name": "Addr", "fields": [
            {"name": "city", "type": "string"}, {"name": "zip", "type": ["null", "int"]}]}},
    ],
}
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

def records(n):
    rnd = random.Random(1234)
    for i in range(n):
        yield {
            "id": i * 7919 - 10**12 if i % 5 else 2**62 + i,
            "qty": rnd.randint(-2**31, 2**31 - 1),
            "name": "n%d-%s" % (i, "é✓" if i % 3 == 0 else "x"),
            "amount": rnd.uniform(-1e6, 1e6),
            "ratio": [0.5, -1.25, 3.0, 1024.0][i % 4],
            "ok": i % 2 == 0,
            "note": None if i % 4 == 0 else "note %d" % i,
            "blob": bytes([i % 256, 0, 255, (i * 7) % 256]),
            "price": decimal.Decimal(rnd.randint(-10**11, 10**11)).scaleb(-2),
            "day": datetime.date(1900, 1, 1) + datetime.timedelta(days=rnd.randint(0, 80000)),
            "ts": EPOCH + datetime.timedelta(microseconds=rnd.randint(-2**50, 2**50)),
            "tags": ["t%d" % k for k in range(i % 4)],
            "attrs": {"k%d" % k: k * i for k in range(i % 3)},
            "addr": {"city": "c%d" % (i % 17), "zip": None if i % 6 == 0 else 10000 + i},
        }

def write(path, codec, n):
    schema = avro.schema.parse(json.dumps(SCHEMA))
    with open(path, "wb") as f:
        w = avro.datafile.DataFileWriter(f, avro.io.DatumWriter(), schema, codec=codec)
        for i, r in enumerate(records(n)):
            w.append(r)
            if i % 500 == 499:
                w.sync()  # ends the block: several blocks per file
        w.close()

def read(path):
    with open(path, "rb") as f:
        r = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        return list(r), r.meta

def compare(path, n):
    got, meta = read(path)
    want = list(records(n))
    if len(got) != len(want):
        sys.exit(f"{path}: {len(got)} records, expected {len(want)}")
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            diff = {k: (w[k], g.get(k)) for k in w if g.get(k) != w[k]}
            sys.exit(f"{path}: record {i} differs (expected, got): {diff}")
    print(f"{path}: {len(got)} records equal, codec {meta.get('avro.codec', b'null').decode()}")

# Avro JSON encoding (what avrocat prints) of a python-avro datum under `schema`.
def to_json(v, s, names):
    if isinstance(s, list):
        if v is None and "null" in s:
            return None
        for b in s:
            if b == "null":
                continue
            try:
                return {branch_name(b, names): to_json(v, b, names)}
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
        raise ValueError(f"no union branch for {v!r}")
    if isinstance(s, str):
        if s in names:
            return to_json(v, names[s], names)
        if s == "null":
            if v is not None: raise TypeError()
            return None
        if s == "boolean":
            if not isinstance(v, bool): raise TypeError()
            return v
        if s in ("int", "long"):
            if isinstance(v, bool) or not isinstance(v, int): raise TypeError()
            return v
        if s in ("float", "double"):
            if not isinstance(v, float): raise TypeError()
            return v
        if s == "string":
            if not isinstance(v, str): raise TypeError()
            return v
        if s == "bytes":
            if not isinstance(v, bytes): raise TypeError()
            return avrocat_bytes(v)
        raise ValueError(s)
    t = s["type"]
    if "name" in s:
        names[s["name"] if "." in s["name"] or not s.get("namespace") else s["namespace"] + "." + s["name"]] = s
    lt = s.get("logicalType")
    if lt == "decimal" and t == "bytes":
        if not isinstance(v, decimal.Decimal): raise TypeError()
        unscaled = int(v.scaleb(s.get("scale", 0)))
        n = max(1, (unscaled.bit_length() + 8) // 8)
        return avrocat_bytes(unscaled.to_bytes(n, "big", signed=True))
    if lt == "date":
        if not isinstance(v, datetime.date): raise TypeError()
        return (v - datetime.date(1970, 1, 1)).days
    if lt == "timestamp-micros":
        if not isinstance(v, datetime.datetime): raise TypeError()
        d = v - EPOCH
        return (d.days * 86400 + d.seconds) * 10**6 + d.microseconds
    if t == "record":
        if not isinstance(v, dict): raise TypeError()
        return {f["name"]: to_json(v[f["name"]], f["type"], names) for f in s["fields"]}
    if t == "array":
        if not isinstance(v, list): raise TypeError()
        return [to_json(x, s["items"], names) for x in v]
    if t == "map":
        if not isinstance(v, dict): raise TypeError()
        return {k: to_json(x, s["values"], names) for k, x in v.items()}
    return to_json(v, t, names)

# avrocat (Avro C + jansson) prints a bytes value only up to its first NUL byte.
def avrocat_bytes(b):
    return b.split(b"\0")[0].decode("latin1")

def branch_name(b, names):
    if isinstance(b, dict):
        if "name" in b:
            return b["name"] if "." in b["name"] or not b.get("namespace") else b["namespace"] + "." + b["name"]
        return b["type"]
    return b

def compare_avrocat(path, avrocat_out, n):
    with open(path, "rb") as f:
        meta = avro.datafile.DataFileReader(f, avro.io.DatumReader()).meta
    schema = json.loads(meta["avro.schema"])
    lines = open(avrocat_out).read().splitlines()
    want = list(records(n))
    if len(lines) != len(want):
        sys.exit(f"avrocat printed {len(lines)} records of {path}, expected {len(want)}")
    for i, (line, w) in enumerate(zip(lines, want)):
        got = json.loads(line)
        exp = to_json(w, schema, {})
        if got != exp:
            diff = {k: (exp[k], got.get(k)) for k in exp if got.get(k) != exp[k]}
            sys.exit(f"{path}: avrocat record {i} differs (expected, got): {diff}")
    print(f"{path}: avrocat's {len(lines)} records equal")

def stats(n):
    rs = list(records(n))
    print(f"{len(rs)},{min(r['id'] for r in rs)},{max(r['id'] for r in rs)},{sum(r['qty'] for r in rs)},{sum(1 for r in rs if r['note'] is None)}")

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "write": write(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "compare": compare(sys.argv[2], int(sys.argv[3]))
    elif cmd == "avrocat": compare_avrocat(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "stats": stats(int(sys.argv[2]))
PY
it() { $PY "$WORK/avro_it.py" "$@"; }

# ---- 1. python3-avro writes every codec ------------------------------------------------------
for c in $CODECS; do
  it write "$WORK/py_$c.avro" "$c" $N
done
it compare "$WORK/py_null.avro" $N >/dev/null || fail "python3-avro cannot read its own file"
EXPECTED_STATS=$(it stats $N)

# ---- 2. velo reads python's files ------------------------------------------------------------
velo_stats() {
  local out
  out=$("$VELO" query --format csv \
    "SELECT COUNT(*), MIN(id), MAX(id), SUM(CAST(qty AS BIGINT)), COUNT(*) - COUNT(note) FROM '$1'" | tail -n 1 | tr -d '"\r')
  [[ $out == "$EXPECTED_STATS" ]] || { echo "velo: $out, python: $EXPECTED_STATS"; return 1; }
}
for c in $CODECS; do
  check "velo reads python3-avro $c" velo_stats "$WORK/py_$c.avro"
done

# ---- 3. velo writes every codec; python3-avro and avrocat read it back --------------------------
for in_codec in $CODECS; do
  for c in $CODECS; do
    out="$WORK/velo_${in_codec}_$c.avro"
    check "velo writes $c (from $in_codec)" "$VELO" query \
      "SELECT * FROM '$WORK/py_$in_codec.avro' INTO '$out' WITH (compression='$c')"
    [[ -f $out ]] || continue
    check "python3-avro reads velo $c (from $in_codec)" it compare "$out" $N
    if [[ $c != zstandard && $in_codec == null ]]; then  # avrocat has no zstandard
      check "avrocat reads velo $c" bash -c "avrocat '$out' > '$out.json' && $PY '$WORK/avro_it.py' avrocat '$out' '$out.json' $N"
    fi
  done
done

# ---- 4. a query's result (projection, filter, expression) ------------------------------------
check "velo query result read by python3-avro" bash -c "
  '$VELO' query \"SELECT id, name, CAST(qty AS BIGINT) * 2 AS q2 FROM '$WORK/py_snappy.avro' WHERE ok INTO '$WORK/q.avro' WITH (compression='deflate')\" &&
  $PY - '$WORK/q.avro' '$WORK/avro_it.py' $N <<'EOF'
import sys, importlib.util
spec = importlib.util.spec_from_file_location('it', sys.argv[2]); it = importlib.util.module_from_spec(spec); spec.loader.exec_module(it)
got, meta = it.read(sys.argv[1])
want = [{'id': r['id'], 'name': r['name'], 'q2': r['qty'] * 2} for r in it.records(int(sys.argv[3])) if r['ok']]
got = sorted(got, key=lambda r: r['id']); want = sorted(want, key=lambda r: r['id'])
assert meta['avro.codec'] == b'deflate', meta['avro.codec']
assert got == want, (len(got), len(want), next(((g, w) for g, w in zip(got, want) if g != w), None))
print(len(got), 'rows equal')
EOF"

echo "avro integration: $PASSED passed, $FAILED failed"
[[ $FAILED == 0 ]]

#!/usr/bin/env python3
"""Regenerates the seed corpora in tests/fuzz/corpus/<target>/ (committed; run this only to
refresh them). Seeds come from the repo's own test inputs (tests/sql, tests/data), small upstream
test files in ../shared/testdata (Apache Parquet / Avro test suites, copied byte for byte), and
inputs generated here. Every seed is kept under 6 KB."""
import bz2
import glob
import gzip
import hashlib
import os
import re
import shutil
import struct
import subprocess
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
TESTDATA = os.path.abspath(os.path.join(REPO, "..", "shared", "testdata"))
OUT = os.path.join(HERE, "corpus")
MAX = 6000
# Seeds that crash a target live in crashes/<target>-<n> instead (run.sh replays them).
KNOWN_CRASHES = {
    "incorrect_map_schema.parquet",  # crashes/parquet-1
    "single_nan.parquet",  # crashes/parquet-2
    "repeated_no_annotation.parquet",  # crashes/parquet-3
}


def put(target, data, name=None):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX:
        return
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def head_lines(path, n):
    with open(path, "rb") as f:
        return b"".join(f.readlines()[:n])


# ---- sql_parser: every statement of tests/sql/*.test, Nexmark queries ----------------------
def sql_seeds():
    seen = set()
    for path in sorted(glob.glob(os.path.join(REPO, "tests", "sql", "*.test"))):
        lines = open(path, encoding="utf-8").read().split("\n")
        i = 0
        while i < len(lines):
            if re.match(r"^(statement|query)\b", lines[i]):
                j = i + 1
                body = []
                while j < len(lines) and lines[j].strip() not in ("", "----"):
                    body.append(lines[j])
                    j += 1
                sql = "\n".join(body)
                if sql and sql not in seen:
                    seen.add(sql)
                    put("sql_parser", sql)
                i = j
            i += 1
    for path in sorted(glob.glob(os.path.join(TESTDATA, "nexmark", "nexmark-flink", "queries", "*.sql"))):
        put("sql_parser", open(path, "rb").read())
    put("sql_parser", "-- @name: q1\nSELECT 1;\n-- @name: q2\nSELECT a FROM t WHERE b IN (1, 2);")
    put("sql_parser", "SELECT -(0)", "fold-negative-zero")  # -(0) prints as -0, which re-parses as 0
    put("sql_parser", "STRUCT<a INT, b LIST<DECIMAL(10, 2)>>")
    put("sql_parser", "a BIGINT, \"b c\" MAP<STRING, ARRAY<TIMESTAMP>>")


# ---- csv / json: tests/data files (first lines) plus a trailing options byte ---------------
def text_seeds():
    for name in ("customers.csv", "nulls.csv", "orders.csv", "weather.csv"):
        data = head_lines(os.path.join(REPO, "tests", "data", name), 40)
        for cfg in (0x00, 0x40, 0x80, 0x21):
            put("csv", data + bytes([cfg]))
    put("csv", b'a;b;c\n1;"x;y";2024-01-01\n"q""uote";\\;;\n' + bytes([0x02]))
    put("csv", b"a\tb\n1.5\ttrue\n\t\n" + bytes([0x04]))
    put("csv", b'id,s\n1,"multi\nline"\n2,\\"x\n' + bytes([0x10]))
    put("csv", b"1,2.50,0.001,2024-02-29,2024-02-29 12:00:00,true,s,3,1 day,bb\n" + bytes([0x81]))
    events = head_lines(os.path.join(REPO, "tests", "data", "events.jsonl"), 12)
    for cfg in (0x00, 0x08, 0x05):
        put("json", events + bytes([cfg]))
    put("json", b'[{"a": 1, "b": [1, 2]}, {"a": null, "c": {"d": "x"}}]\n' + bytes([0x02]))
    put("json", b'{"a":1,"b":2.5,"c":"12.345","d":"2024-01-01","e":"2024-01-01T10:00:00Z",'
        b'"f":true,"g":"s","h":3,"i":[1,2,null],"j":{"k":1.5},"k":{"x":"y","y":[{"z":9}]},'
        b'"l":"YWJj","m":"1 day"}\n{"a":"bad"}\n' + bytes([0x10]))
    put("json", b'{"x": 1e400, "y": -0, "z": "\\u00e9\\ud83d\\ude00"}\n{"x": 18446744073709551616}\n' + bytes([0]))
    put("json_row", events)
    put("json_row", b'{"a":1,"b":2.5,"c":12.345,"d":"2024-01-01","e":"2024-01-01 10:00:00",'
        b'"f":true,"g":"s","h":3,"i":[1,2,null],"j":{"k":1.5},"k":{"x":"y","y":[{"z":9}]},'
        b'"l":"abc","m":"1 day"}\n{"a":9223372036854775808}\n{"i":{}}\n[1]\n')


# ---- parquet / thrift: small upstream files, their footers and first page headers ----------
def parquet_seeds():
    files = sorted(glob.glob(os.path.join(TESTDATA, "parquet", "parquet-testing", "data", "*.parquet")))
    files += sorted(glob.glob(os.path.join(TESTDATA, "parquet", "parquet-testing", "bad_data", "*.parquet")))
    for path in files:
        data = open(path, "rb").read()
        if len(data) <= MAX and os.path.basename(path) not in KNOWN_CRASHES:
            put("parquet", data, os.path.basename(path))
        if len(data) >= 12 and data[-4:] == b"PAR1":
            n = struct.unpack("<I", data[-8:-4])[0]
            if 0 < n <= len(data) - 12:
                put("thrift", data[-8 - n:-8], os.path.basename(path) + ".footer")
            put("thrift", data[4:4 + 64], os.path.basename(path) + ".page")


# ---- avro: small upstream container files, and datums for avro_datum_fuzz's schemas --------
def zigzag(v):
    v = (v << 1) ^ (v >> 63)
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def s(text):
    text = text.encode() if isinstance(text, str) else text
    return zigzag(len(text)) + text


def avro_seeds():
    for path in sorted(glob.glob(os.path.join(TESTDATA, "avro", "**", "*.avro"), recursive=True)):
        data = open(path, "rb").read()
        if len(data) <= MAX:
            put("avro", data, os.path.basename(path))
    r0 = zigzag(5) + zigzag(-3) + struct.pack("<f", 1.5) + struct.pack("<d", -2.25) + b"\x01" + s("hi") + s(b"\x00\xff")
    r1 = zigzag(1) + zigzag(7) + zigzag(2) + zigzag(42) + zigzag(1) + b"abcde"
    r2 = (zigzag(2) + zigzag(1) + zigzag(2) + zigzag(0) + zigzag(1) + s("k") + zigzag(1) + s("v") + zigzag(0)
          + zigzag(1) + zigzag(3) + zigzag(1) + s("x") + zigzag(0) + zigzag(0))
    r3 = (s(b"\x01\x00") + b"\x00" * 8 + b"\x05" + zigzag(19000) + zigzag(1700000000000) + zigzag(1700000000000000)
          + zigzag(1700000000000000000) + zigzag(3600000) + zigzag(3600000000) + struct.pack("<III", 1, 2, 3)
          + s("123e4567-e89b-12d3-a456-426614174000") + zigzag(5))
    r4 = zigzag(2) + s("u")
    r5 = zigzag(1) + s("k") + zigzag(2) + zigzag(1) + struct.pack("<d", 1.0) + zigzag(0) + zigzag(0) + zigzag(0)
    r6 = zigzag(9) + struct.pack("<d", 0.5) + s("b") + zigzag(3)
    r7 = zigzag(1) + s("a") + zigzag(1) + zigzag(4) + zigzag(0)
    for i, datum in enumerate((r0, r1, r2, r3, r4, r5, r6, r7)):
        put("avro_datum", bytes([i, 0]) + datum * 3, f"builtin-{i}")
    put("avro_datum", bytes([6, 1]) + r6, "resolve-6-as-0")
    put("avro_datum", bytes([0, 7]) + r0, "resolve-0-as-6")
    for path in sorted(glob.glob(os.path.join(TESTDATA, "avro", "**", "*.avsc"), recursive=True)):
        data = open(path, "rb").read()
        if len(data) <= 3000:
            put("avro_datum", bytes([0xFF, 0]) + data + b"\x00" + r0, os.path.basename(path))
    put("avro_datum", bytes([0xFF, 0]) + b'{"type":"record","name":"L","fields":[{"name":"n","type":["null","L"]}]}\x00\x02\x00',
        "recursive")
    put("avro_datum", bytes([0, 0]) + b"\x00\x00\x00\x00\x07" + r0, "confluent")
    put("avro_datum", bytes([0, 0]) + b"\xc3\x01" + b"\x11" * 8 + r0, "single-object")


# ---- decompress: a sample compressed with every codec, framed for decompress_fuzz -----------
def decompress_seeds():
    sample = head_lines(os.path.join(REPO, "tests", "data", "orders.csv"), 30)

    def cli(*cmd):
        try:
            return subprocess.run(cmd, input=sample, capture_output=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return None

    put("decompress", b"\x00" + gzip.compress(sample), "gzip")
    put("decompress", b"\x80" + gzip.compress(sample[:100]) + gzip.compress(sample[100:]), "gzip-members")
    z = cli("zstd", "-q", "-c")
    if z:
        put("decompress", b"\x01" + z + z, "zstd")
    put("decompress", b"\x02" + bz2.compress(sample), "bzip2")
    l4 = cli("lz4", "-q", "-c")
    if l4:
        put("decompress", b"\x03" + l4, "lz4")
    put("decompress", b"\x04" + sample[:200], "none")
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = raw_deflate.compress(sample) + raw_deflate.flush()
    put("decompress", b"\x06" + deflated, "avro-deflate")
    if z:
        put("decompress", b"\x08" + z, "avro-zstd")
    size = struct.pack("<H", len(sample))
    put("decompress", b"\x0b" + size + gzip.compress(sample), "parquet-gzip")
    if z:
        put("decompress", b"\x0e" + size + z, "parquet-zstd")
    br = cli("brotli", "-c")
    if br:
        put("decompress", b"\x0c" + size + br, "parquet-brotli")


if __name__ == "__main__":
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    sql_seeds()
    text_seeds()
    parquet_seeds()
    avro_seeds()
    decompress_seeds()
    for t in sorted(os.listdir(OUT)):
        files = os.listdir(os.path.join(OUT, t))
        size = sum(os.path.getsize(os.path.join(OUT, t, f)) for f in files)
        print(f"{t}: {len(files)} seeds, {size} bytes")

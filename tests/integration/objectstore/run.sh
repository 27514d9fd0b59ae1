#!/usr/bin/env bash
# Object-store file systems end to end (issue 6), against emulators started here:
#   0. s3rver (S3) and azurite (Azure Blob, Shared Key enforced) on free loopback ports;
#   1. the FileSystem conformance suite (velo_fs_tests) against local, s3://, gs:// (HMAC via
#      s3rver) and azure://;
#   2. S3: velo writes a Parquet dataset with INTO; boto3 lists it and DuckDB reads the object
#      boto3 downloaded; velo reads it back; velo reads a CSV boto3 uploaded (credentials from
#      the environment), also as gs:// with HMAC keys;
#   3. Azure: the same with python3-azure as the independent client, Shared Key from a
#      connection string and a SAS token python3-azure generated;
#   3b. gs:// with a service-account key: a stub token endpoint verifies velo's RS256 JWT and
#      requires the token it issued on the storage requests it forwards to s3rver;
#   4. faults: a proxy between velo and s3rver drops connections, cuts bodies short and answers
#      503 SlowDown at random; a velo job (ranged reads, listing, a multipart write) still
#      completes with exactly the expected output.
# Usage: tests/integration/objectstore/run.sh [path/to/velo] [path/to/velo_fs_tests]
# Needs node with tests/node_modules (s3rver, azurite, @duckdb/node-api) and /usr/bin/python3
# with boto3 and azure-storage-blob: scripts/install-deps.sh installs them.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
VELO=$(realpath "${1:-build/velo}")
FS_TESTS=$(realpath "${2:-$(dirname "$VELO")/tests/velo_fs_tests}")
NM=$ROOT/tests/node_modules
PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/velo-objectstore-it.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

[[ -f $NM/s3rver/bin/s3rver.js && -f $NM/azurite/dist/src/blob/main.js ]] ||
  fail "s3rver/azurite missing in tests/node_modules: run scripts/install-deps.sh"
$PY -c 'import boto3, azure.storage.blob' 2>/dev/null ||
  fail "/usr/bin/python3 lacks boto3 or azure-storage-blob: run scripts/install-deps.sh"

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {  # url, log
  for _ in $(seq 150); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  fail "service at $1 did not start: $(tail -5 "$2")"
}

# ---- 0. services -------------------------------------------------------------------------------
S3_PORT=$(free_port)
mkdir -p "$WORK/s3rver" "$WORK/azurite"
node --openssl-legacy-provider "$NM/s3rver/bin/s3rver.js" -d "$WORK/s3rver" -a 127.0.0.1 \
  -p "$S3_PORT" --configure-bucket test-bucket >"$WORK/s3rver.log" 2>&1 &
PIDS+=($!)
AZ_PORT=$(free_port)
node "$NM/azurite/dist/src/blob/main.js" --blobHost 127.0.0.1 --blobPort "$AZ_PORT" \
  --location "$WORK/azurite" --disableTelemetry --skipApiVersionCheck --silent \
  >"$WORK/azurite.log" 2>&1 &
PIDS+=($!)
S3_URL=http://127.0.0.1:$S3_PORT
AZ_URL=http://127.0.0.1:$AZ_PORT/devstoreaccount1
wait_http "$S3_URL/" "$WORK/s3rver.log"
wait_http "$AZ_URL/" "$WORK/azurite.log"
AZ_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
AZ_CONN="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZ_KEY;BlobEndpoint=$AZ_URL;"
echo "s3rver on $S3_PORT, azurite on $AZ_PORT"

# The independent clients, shared by the steps below.
cat >"$WORK/clients.py" <<'PY'
import csv, io, os, sys
import boto3
from azure.storage.blob import BlobServiceClient

def s3():
    return boto3.client("s3", endpoint_url=os.environ["S3_URL"], aws_access_key_id="S3RVER",
                        aws_secret_access_key="S3RVER", region_name="us-east-1")

def azure():
    return BlobServiceClient.from_connection_string(os.environ["AZ_CONN"])

def rows(n, seed):
    # id, name, amount (two decimals, so every reader prints it the same way)
    return [(i, f"name{(i * seed) % 997}", round(((i * 7919 + seed) % 100000) / 100, 2))
            for i in range(n)]

def write_csv(path, n, seed):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "amount"])
        w.writerows(rows(n, seed))

def parse(text, header):
    lines = list(csv.reader(io.StringIO(text)))
    if header:
        lines = lines[1:]
    return sorted((int(r[0]), r[1], round(float(r[2]), 2)) for r in lines if r)

def same(got, want, what):
    if got != want:
        missing = set(want) - set(got)
        extra = set(got) - set(want)
        sys.exit(f"{what}: {len(got)} rows, expected {len(want)}; "
                 f"missing e.g. {sorted(missing)[:3]}, unexpected e.g. {sorted(extra)[:3]}")
    print(f"{what}: {len(got)} rows equal")
PY
export S3_URL AZ_CONN PYTHONPATH=$WORK DUCKDB_ROWS=$HERE/duckdb_rows.mjs
$PY -c 'import clients; clients.azure().create_container("itest")'

# ---- 1. the conformance suite -----------------------------------------------------------------
VELO_TEST_S3_ENDPOINT=$S3_URL VELO_TEST_S3_BUCKET=test-bucket \
  VELO_TEST_AZURE_ENDPOINT=$AZ_URL VELO_TEST_AZURE_CONTAINER=itest \
  "$FS_TESTS" --gtest_filter='AllFileSystems/*' >"$WORK/conformance.log" 2>&1 ||
  fail "conformance suite: $(grep -E 'FAILED|Failure|error' "$WORK/conformance.log" | head -20)"
! grep -q '^\[  SKIPPED \]' "$WORK/conformance.log" ||
  fail "conformance cases were skipped: $(grep SKIPPED "$WORK/conformance.log" | head)"
echo "ok 1: conformance suite: $(grep -E '^\[  PASSED  \]' "$WORK/conformance.log")" \
  "(local, s3, gs, azure)"

# ---- 2. S3 -------------------------------------------------------------------------------------
S3_OPTS="endpoint = '$S3_URL', access_key_id = 'S3RVER', secret_access_key = 'S3RVER'"
$PY -c 'import clients; clients.write_csv("'"$WORK"'/orders.csv", 20000, 3)'
"$VELO" query "SELECT * FROM '$WORK/orders.csv' INTO 's3://test-bucket/velo/orders/'
               WITH (format = 'parquet', $S3_OPTS)" >"$WORK/w1.log" 2>&1 ||
  fail "velo INTO s3: $(cat "$WORK/w1.log")"
$PY - "$WORK" <<'PY' || fail "boto3 check of velo's Parquet on s3rver"
import os, subprocess, sys, clients
work = sys.argv[1]
s3 = clients.s3()
keys = [o["Key"] for o in s3.list_objects_v2(Bucket="test-bucket", Prefix="velo/orders/")["Contents"]]
assert len(keys) == 1 and keys[0].endswith(".parquet"), keys
s3.download_file("test-bucket", keys[0], f"{work}/from_s3.parquet")
out = subprocess.run(["node", os.environ["DUCKDB_ROWS"], f"{work}/from_s3.parquet"],
                     check=True, capture_output=True, text=True).stdout
clients.same(clients.parse(out, False), sorted(clients.rows(20000, 3)),
             f"boto3 listed {keys[0]}; DuckDB reads it")
PY
"$VELO" query --format csv "SELECT id, name, amount FROM 's3://test-bucket/velo/orders/*.parquet'
                            WITH ($S3_OPTS)" >"$WORK/r1.csv" 2>"$WORK/r1.log" ||
  fail "velo read s3 parquet: $(cat "$WORK/r1.log")"
$PY -c 'import clients; clients.same(clients.parse(open("'"$WORK"'/r1.csv").read(), True),
        sorted(clients.rows(20000, 3)), "velo reads its Parquet back from s3://")' ||
  fail "velo read back differs"

$PY -c '
import clients
clients.write_csv("'"$WORK"'/boto.csv", 5000, 11)
clients.s3().upload_file("'"$WORK"'/boto.csv", "test-bucket", "from-boto3/part-1.csv")'
# Credentials and endpoint from the environment this time (the chain's second link).
AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_ENDPOINT_URL=$S3_URL \
  "$VELO" query --format csv "SELECT id, name, amount FROM 's3://test-bucket/from-boto3/*.csv'" \
  >"$WORK/r2.csv" 2>"$WORK/r2.log" || fail "velo read boto3's CSV: $(cat "$WORK/r2.log")"
$PY -c 'import clients; clients.same(clients.parse(open("'"$WORK"'/r2.csv").read(), True),
        sorted(clients.rows(5000, 11)), "velo reads the CSV boto3 uploaded (env credentials)")'
"$VELO" query --format csv "SELECT count(*) FROM 'gs://test-bucket/from-boto3/part-1.csv'
                            WITH ($S3_OPTS)" >"$WORK/r3.csv" 2>"$WORK/r3.log" ||
  fail "velo gs:// via s3rver: $(cat "$WORK/r3.log")"
[[ $(tail -1 "$WORK/r3.csv") == 5000 ]] || fail "gs:// count: $(cat "$WORK/r3.csv")"
echo "ok 2: s3:// (and gs:// with HMAC) against s3rver, cross-checked with boto3 and DuckDB"

# ---- 3. Azure ----------------------------------------------------------------------------------
AZ_OPTS="endpoint = '$AZ_URL', account_name = 'devstoreaccount1', account_key = '$AZ_KEY'"
"$VELO" query "SELECT * FROM '$WORK/orders.csv' INTO 'azure://itest/velo/orders/'
               WITH (format = 'parquet', $AZ_OPTS)" >"$WORK/w4.log" 2>&1 ||
  fail "velo INTO azure: $(cat "$WORK/w4.log")"
$PY - "$WORK" <<'PY' || fail "python3-azure check of velo's Parquet on azurite"
import os, subprocess, sys, clients
work = sys.argv[1]
c = clients.azure().get_container_client("itest")
names = [b.name for b in c.list_blobs(name_starts_with="velo/orders/")]
assert len(names) == 1 and names[0].endswith(".parquet"), names
with open(f"{work}/from_azure.parquet", "wb") as f:
    f.write(c.download_blob(names[0]).readall())
out = subprocess.run(["node", os.environ["DUCKDB_ROWS"], f"{work}/from_azure.parquet"],
                     check=True, capture_output=True, text=True).stdout
clients.same(clients.parse(out, False), sorted(clients.rows(20000, 3)),
             f"python3-azure listed {names[0]}; DuckDB reads it")
clients.write_csv(f"{work}/az.csv", 4000, 5)
with open(f"{work}/az.csv", "rb") as f:
    c.upload_blob("from-python/data.csv", f, overwrite=True)
PY
AZURE_STORAGE_CONNECTION_STRING=$AZ_CONN "$VELO" query --format csv \
  "SELECT id, name, amount FROM 'azure://itest/from-python/*.csv'" >"$WORK/r4.csv" 2>"$WORK/r4.log" ||
  fail "velo read python3-azure's CSV: $(cat "$WORK/r4.log")"
$PY -c 'import clients; clients.same(clients.parse(open("'"$WORK"'/r4.csv").read(), True),
        sorted(clients.rows(4000, 5)), "velo reads the CSV python3-azure uploaded (connection string)")'
SAS=$($PY -c '
import datetime, clients
from azure.storage.blob import generate_container_sas, ContainerSasPermissions
print(generate_container_sas("devstoreaccount1", "itest", account_key="'"$AZ_KEY"'",
      permission=ContainerSasPermissions(read=True, list=True),
      expiry=datetime.datetime.utcnow() + datetime.timedelta(hours=1)))')
"$VELO" query --format csv "SELECT count(*) FROM 'azure://itest/from-python/data.csv'
  WITH (endpoint = '$AZ_URL', account_name = 'devstoreaccount1', sas_token = '$SAS')" \
  >"$WORK/r5.csv" 2>"$WORK/r5.log" || fail "velo with a SAS token: $(cat "$WORK/r5.log")"
[[ $(tail -1 "$WORK/r5.csv") == 4000 ]] || fail "SAS count: $(cat "$WORK/r5.csv")"
for uri in "abfss://itest@devstoreaccount1.dfs.core.windows.net/from-python/*.csv" \
           "https://devstoreaccount1.blob.core.windows.net/itest/from-python/data.csv"; do
  "$VELO" query --format csv "SELECT count(*) FROM '$uri' WITH ($AZ_OPTS)" >"$WORK/r7.csv" \
    2>"$WORK/r7.log" || fail "velo $uri: $(cat "$WORK/r7.log")"
  [[ $(tail -1 "$WORK/r7.csv") == 4000 ]] || fail "$uri count: $(cat "$WORK/r7.csv")"
done
"$VELO" query "SELECT count(*) FROM 'azure://itest/from-python/data.csv'
  WITH (endpoint = '$AZ_URL', account_name = 'devstoreaccount1',
        account_key = 'AAAA${AZ_KEY:4}')" >"$WORK/r6.log" 2>&1 &&
  fail "a wrong Shared Key was accepted"
grep -q "HTTP 403" "$WORK/r6.log" || fail "wrong key: $(cat "$WORK/r6.log")"
grep -q "Shared Key from the WITH clause" "$WORK/r6.log" || fail "no credential source: $(cat "$WORK/r6.log")"
echo "ok 3: azure://, abfss://, https:// against azurite (Shared Key, connection string, SAS)," \
  "cross-checked with python3-azure and DuckDB; a wrong key fails with 403 naming the" \
  "credential source"

# ---- 3b. gs:// with a service account (OAuth2 JWT) -----------------------------------------------
# No GCS emulator exists: a stub token endpoint verifies velo's RS256 JWT with the public key of
# a key generated here and hands out a token it then requires on every storage request, which
# it forwards to s3rver (playing GCS's XML API).
GCS_PORT=$(free_port)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/sa.pem" 2>/dev/null
openssl pkey -in "$WORK/sa.pem" -pubout -out "$WORK/sa.pub"
SA_EMAIL=velo-it@test-project.iam.gserviceaccount.com
$PY -c 'import json, sys
print(json.dumps({"type": "service_account", "project_id": "test-project", "private_key_id": "k1",
  "private_key": open(sys.argv[1]).read(), "client_email": sys.argv[2],
  "token_uri": f"http://127.0.0.1:{sys.argv[3]}/token"}))' "$WORK/sa.pem" "$SA_EMAIL" "$GCS_PORT" \
  >"$WORK/sa.json"
$PY "$HERE/gcs_oauth_stub.py" "$GCS_PORT" "$S3_PORT" "$WORK/sa.pub" "$SA_EMAIL" "$WORK/gcs.log" \
  >"$WORK/gcs_stub.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$GCS_PORT/" "$WORK/gcs_stub.log"
: >"$WORK/gcs.log"  # forget the readiness probe
GOOGLE_APPLICATION_CREDENTIALS=$WORK/sa.json "$VELO" query --format csv \
  "SELECT id, name, amount FROM 'gs://test-bucket/from-boto3/*.csv'
   WITH (endpoint = 'http://127.0.0.1:$GCS_PORT')" >"$WORK/g1.csv" 2>"$WORK/g1.log" ||
  fail "gs:// with a service account: $(cat "$WORK/g1.log") $(cat "$WORK/gcs.log" 2>/dev/null)"
$PY -c 'import clients; clients.same(clients.parse(open("'"$WORK"'/g1.csv").read(), True),
        sorted(clients.rows(5000, 11)), "gs:// with a service-account token")'
grep -q "token: issued to $SA_EMAIL" "$WORK/gcs.log" || fail "no token issued: $(cat "$WORK/gcs.log")"
! grep -q "rejected" "$WORK/gcs.log" || fail "unauthenticated storage requests: $(cat "$WORK/gcs.log")"
GOOGLE_OAUTH_ACCESS_TOKEN=wrong-token "$VELO" query \
  "SELECT count(*) FROM 'gs://test-bucket/from-boto3/*.csv' WITH (endpoint = 'http://127.0.0.1:$GCS_PORT')" \
  >"$WORK/g2.log" 2>&1 && fail "a wrong bearer token was accepted"
grep -q "HTTP 401.*OAuth2 token from GOOGLE_OAUTH_ACCESS_TOKEN" "$WORK/g2.log" ||
  fail "wrong token error: $(cat "$WORK/g2.log")"
! grep -q "wrong-token" "$WORK/g2.log" || fail "the token leaked into the error: $(cat "$WORK/g2.log")"
echo "ok 3b: gs:// with a service-account key: RS256 JWT verified by the token endpoint, bearer" \
  "token on every request; a wrong token fails with 401 naming its source, not its value"

# ---- 4. faults ---------------------------------------------------------------------------------
PROXY_PORT=$(free_port)
$PY "$HERE/fault_proxy.py" "$PROXY_PORT" "$S3_PORT" "$WORK/faults.json" >"$WORK/proxy.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$PROXY_PORT/" "$WORK/proxy.log" || true
$PY -c '
import clients
clients.write_csv("'"$WORK"'/big.csv", 300000, 7)
clients.s3().upload_file("'"$WORK"'/big.csv", "test-bucket", "faulty/in/big.csv")'
FAULTY="endpoint = 'http://127.0.0.1:$PROXY_PORT', access_key_id = 'S3RVER',
        secret_access_key = 'S3RVER', max_attempts = 12, retry_base_delay = '20ms'"
"$VELO" query "SELECT id, name, amount FROM 's3://test-bucket/faulty/in/*.csv'
                 WITH (split_size = '1MiB', $FAULTY)
               INTO 's3://test-bucket/faulty/out/' WITH (format = 'csv', part_size = '5MiB', $FAULTY)" \
  >"$WORK/f1.log" 2>&1 || fail "velo job through the faulty proxy: $(cat "$WORK/f1.log")"
$PY - "$WORK" <<'PY' || fail "output of the job through the faulty proxy"
import json, sys, clients
work = sys.argv[1]
s3 = clients.s3()
objs = s3.list_objects_v2(Bucket="test-bucket", Prefix="faulty/out/").get("Contents", [])
assert len(objs) == 1, [o["Key"] for o in objs]
body = s3.get_object(Bucket="test-bucket", Key=objs[0]["Key"])["Body"].read().decode()
assert len(body) > 5 << 20, f"only {len(body)} bytes: the write did not go multipart"
clients.same(clients.parse(body, True), sorted(clients.rows(300000, 7)),
             f"job through the faulty proxy wrote {objs[0]['Key']} ({len(body)} bytes)")
stats = json.load(open(f"{work}/faults.json"))
print("proxy:", stats)
assert stats["dropped"] > 0 and stats["slowdown"] > 0, stats
PY
echo "ok 4: a job through a proxy that drops connections, truncates bodies and answers 503" \
  "SlowDown completed with exactly the expected output"

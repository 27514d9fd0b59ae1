#!/usr/bin/env bash
# Crash and resume (issue 3, checkpoints): each job runs once uninterrupted, and once killed with
# -9 after its first checkpoint and then restarted with the same --state-dir. The committed
# output of the killed-and-resumed run must equal the uninterrupted run's output exactly (as a
# multiset of lines): nothing lost, nothing written twice, no partial file visible.
#   1. nexmark bids (paced) -> filter -> JSON Lines files           (source positions)
#   2. nexmark bids (paced) -> tumbling-window aggregate -> CSV       (window state)
#   3. Kafka topic (dev broker, 16 partitions) -> filter -> Parquet    (Kafka offsets)
# Usage: tests/integration/checkpoint/run.sh [path/to/velo]
set -euo pipefail
VELO=$(realpath "${1:-build/velo}")
WORK=$(mktemp -d /tmp/velo-checkpoint-it.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Committed output as sorted lines: every visible (non-hidden) file under $1, read with velo.
# (Hidden temp files a killed run leaves behind are never matched by the glob.)
committed_lines() {
  local dir=$1 format=$2
  "$VELO" query --format csv "SELECT * FROM '$dir/*.$format'" | tail -n +2 | LC_ALL=C sort
}

# Runs job $1 (a .sql file) killed after its first checkpoint, then to completion.
crash_and_resume() {
  local sql=$1 state=$2
  "$VELO" run --threads 2 --state-dir "$state" --checkpoint-interval 300ms "$sql" \
    > "$WORK/first.log" 2>&1 &
  local pid=$!
  for _ in $(seq 300); do
    compgen -G "$state/job-1/checkpoint-*.bin" > /dev/null && break
    sleep 0.05
  done
  sleep 0.4  # a little output after the checkpoint, which the crash must not duplicate
  kill -9 "$pid" 2>/dev/null || fail "the job ended before it could be killed: $(cat "$WORK/first.log")"
  local rc=0
  wait "$pid" || rc=$?
  [[ $rc -eq 137 ]] || fail "expected the first run to die by SIGKILL (137), got $rc"
  "$VELO" run --threads 2 --state-dir "$state" --checkpoint-interval 300ms "$sql" \
    > "$WORK/second.log" 2>&1 || fail "resumed run failed: $(cat "$WORK/second.log")"
}

check_same() {
  local name=$1 want=$2 got=$3
  local n_want n_got
  n_want=$(wc -l < "$want")
  n_got=$(wc -l < "$got")
  [[ $n_want -gt 0 ]] || fail "$name: the uninterrupted run wrote nothing"
  if ! cmp -s "$want" "$got"; then
    echo "--- $name: uninterrupted vs killed+resumed (first differences)" >&2
    diff "$want" "$got" | head -20 >&2
    fail "$name: $n_want rows expected, $n_got rows after crash and resume"
  fi
  echo "ok $name: $n_got rows, identical after kill -9 and resume"
}

# ---- 1. stateless: positions only --------------------------------------------------------
for run in ref crash; do
  mkdir -p "$WORK/$run/out1"
  cat > "$WORK/$run/q1.sql" <<SQL
SELECT auction, bidder, price, date_time FROM 'nexmark://bid'
  WITH (events = 600000, rate = 150000, pace = true)
WHERE price > 1000
INTO '$WORK/$run/out1/' WITH (format = 'jsonl');
SQL
done
"$VELO" run --threads 2 "$WORK/ref/q1.sql" > /dev/null
committed_lines "$WORK/ref/out1" jsonl > "$WORK/want1.txt"
crash_and_resume "$WORK/crash/q1.sql" "$WORK/crash/state1"
committed_lines "$WORK/crash/out1" jsonl > "$WORK/got1.txt"
check_same "nexmark filter -> jsonl" "$WORK/want1.txt" "$WORK/got1.txt"

# ---- 2. stateful: tumbling windows -------------------------------------------------------
for run in ref crash; do
  mkdir -p "$WORK/$run/out2"
  cat > "$WORK/$run/q2.sql" <<SQL
SELECT auction, window_start, COUNT(*) AS bids, SUM(price) AS volume
FROM TABLE(TUMBLE(TABLE 'nexmark://bid', DESCRIPTOR(date_time), INTERVAL '2' SECOND))
  WITH (events = 600000, rate = 150000, pace = true)
GROUP BY auction, window_start, window_end
INTO '$WORK/$run/out2/' WITH (format = 'csv');
SQL
done
"$VELO" run --threads 2 "$WORK/ref/q2.sql" > /dev/null
committed_lines "$WORK/ref/out2" csv > "$WORK/want2.txt"
crash_and_resume "$WORK/crash/q2.sql" "$WORK/crash/state2"
committed_lines "$WORK/crash/out2" csv > "$WORK/got2.txt"
check_same "nexmark tumbling window -> csv" "$WORK/want2.txt" "$WORK/got2.txt"

# ---- 3. Kafka offsets --------------------------------------------------------------------
"$VELO" dev kafka --topic events:16 --bootstrap-file "$WORK/bootstrap" > "$WORK/broker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [[ -s $WORK/bootstrap ]] && break; sleep 0.1; done
BS=$(cat "$WORK/bootstrap") || fail "dev broker did not start: $(cat "$WORK/broker.log")"
/usr/bin/python3 - "$WORK/events.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(600000):
        f.write(json.dumps({"id": i, "kind": "click" if i % 3 else "view", "amount": i % 997}) + "\n")
PY
kcat -P -b "$BS" -t events -l "$WORK/events.jsonl"
for run in ref crash; do
  mkdir -p "$WORK/$run/out3"
  cat > "$WORK/$run/q3.sql" <<SQL
SELECT id, kind, amount FROM 'kafka://$BS/events'
  WITH (start = 'earliest', until = 'latest', format = 'json',
        schema = 'id BIGINT, kind VARCHAR, amount BIGINT')
WHERE kind = 'click'
INTO '$WORK/$run/out3/' WITH (format = 'parquet', batch_size = 20000);
SQL
done
"$VELO" run --threads 2 "$WORK/ref/q3.sql" > /dev/null
committed_lines "$WORK/ref/out3" parquet > "$WORK/want3.txt"
[[ $(wc -l < "$WORK/want3.txt") -eq 400000 ]] || fail "kafka: expected 400000 clicks, got $(wc -l < "$WORK/want3.txt")"
crash_and_resume "$WORK/crash/q3.sql" "$WORK/crash/state3"
committed_lines "$WORK/crash/out3" parquet > "$WORK/got3.txt"
check_same "kafka filter -> parquet" "$WORK/want3.txt" "$WORK/got3.txt"
echo "checkpoint crash tests: all passed"

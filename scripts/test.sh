#!/usr/bin/env bash
# Runs every test: gtest unit tests and integration tests (through ctest), the sqllogictest
# suite, and the DuckDB cross-check of the sqllogictest answers. Prints one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
status=0

echo "== ctest (unit, integration, sqllogictest)"
ctest --test-dir "$BUILD" --output-on-failure -j"$(nproc)" 2>&1 | tee "$BUILD/ctest.log"
ctest_rc=${PIPESTATUS[0]}
[[ $ctest_rc -eq 0 ]] || status=1

echo "== DuckDB cross-check of sqllogictest answers"
"$BUILD/tests/velo_sqllogictest" --dump-cases "$BUILD/slt_cases.jsonl" tests/sql > /dev/null 2>&1
node tests/sqllogic/duckdb_check.mjs "$BUILD/slt_cases.jsonl" 2>&1 | tee "$BUILD/duckdb_check.log"
duck_rc=${PIPESTATUS[0]}
[[ $duck_rc -eq 0 ]] || status=1

summary=$(grep -E "tests passed|tests failed" "$BUILD/ctest.log" | tail -1)
duck=$(tail -1 "$BUILD/duckdb_check.log")
echo
echo "SUMMARY: ctest: ${summary:-no ctest summary}; duckdb: ${duck}"
exit $status

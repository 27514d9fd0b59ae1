#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (if needed) and runs each for SECONDS_PER_TARGET
# (default 20) over its seed corpus, after replaying the reproducers of tests/fuzz/crashes/
# (inputs that crashed before; each must pass once its bug is fixed). Fails when any target
# finds a crash, leak, timeout or OOM; the inputs are kept in $BUILD/fuzz-work/artifacts/<target>/
# and the last line says how many targets passed. Usage:
#   tests/fuzz/run.sh [SECONDS_PER_TARGET]
# Environment:
#   VELO_FUZZ_BUILD    build dir (default <repo>/build-fuzz; never the g++ build/)
#   VELO_FUZZ_TARGETS  space-separated subset, e.g. "csv json" (default: all)
#   VELO_FUZZ_JOBS     ninja -j (default 2)
#   VELO_FUZZ_SECONDS  overrides SECONDS_PER_TARGET (the ctest fuzz_smoke passes 20)
# Needs clang and its libFuzzer runtime. On Debian they come from the packages clang-14 and
# libclang-rt-14-dev (scripts/install-deps.sh); when missing and running as root, this script
# installs them with apt-get; otherwise it exits 77 (ctest: skipped).
# Long runs (before a release, or after changing a reader): 10 minutes per target, e.g.
#   VELO_FUZZ_TARGETS="thrift parquet avro" tests/fuzz/run.sh 600
# Everything is compiled by clang with ASan + UBSan (-DVELO_SANITIZE=ON); the libraries get
# -fsanitize=fuzzer-no-link, the targets -fsanitize=fuzzer (tests/fuzz/CMakeLists.txt).
set -euo pipefail

secs=${VELO_FUZZ_SECONDS:-${1:-20}}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${VELO_FUZZ_BUILD:-$root/build-fuzz}
jobs=${VELO_FUZZ_JOBS:-2}
all_targets="sql_parser csv json json_row thrift parquet avro avro_datum decompress"
targets=${VELO_FUZZ_TARGETS:-$all_targets}
start=$SECONDS

# Largest input per target: room for the seeds (<= 6 KB) to grow, small enough to stay fast.
max_len() {
  case $1 in
    parquet | avro) echo 16384 ;;
    csv | json | decompress) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

# ---- toolchain -------------------------------------------------------------------------------
have_fuzzer_rt() { compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; }
pick_clang() {
  for v in clang++ clang++-14; do
    if command -v "$v" >/dev/null; then
      CXX=$(command -v "$v")
      CC=$(command -v "${v/++/}")
      return 0
    fi
  done
  return 1
}
if ! pick_clang || ! have_fuzzer_rt; then
  if [ "$(id -u)" = 0 ]; then
    echo "fuzz: installing clang-14 and libclang-rt-14-dev (Debian packages)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q clang-14 libclang-rt-14-dev >/dev/null ||
      { apt-get update -q >/dev/null && apt-get install -y -q clang-14 libclang-rt-14-dev >/dev/null; }
  fi
  pick_clang && have_fuzzer_rt ||
    { echo "fuzz: SKIPPED: needs clang and libclang-rt-14-dev (Debian packages)" >&2; exit 77; }
fi

# ---- build -------------------------------------------------------------------------------------
export CCACHE_NOHASHDIR=true
# Paths relative to the checkout, so a fresh clone elsewhere (CI) still hits the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
if [ ! -f "$build/build.ninja" ]; then
  mkdir -p "$build"
  CC=$CC CXX=$CXX cmake -S "$root" -B "$build" -G Ninja -DVELO_FUZZ=ON -DVELO_SANITIZE=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/fuzz-cmake.log" 2>&1 ||
    { cat "$build/fuzz-cmake.log" >&2; exit 1; }
fi
bins=()
for t in $targets; do bins+=("${t}_fuzz"); done
if ! ninja -C "$build" -j"$jobs" "${bins[@]}" >"$build/fuzz-build.log" 2>&1; then
  grep -E "error|FAILED" "$build/fuzz-build.log" | head -40 >&2
  echo "fuzz: build failed (full log: $build/fuzz-build.log)" >&2
  exit 1
fi
build_secs=$((SECONDS - start))

# ---- run ---------------------------------------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
work=$build/fuzz-work
passed=0
failed=0
total_runs=0
for t in $targets; do
  corpus=$work/corpus/$t        # grows with what libFuzzer finds; the seeds stay untouched
  artifacts=$work/artifacts/$t
  log=$work/logs/$t.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  rm -f "$artifacts"/*
  rc=0
  # Known crashes first (tests/fuzz/crashes/<target>-<n>): each must now pass.
  crashes=$(compgen -G "$root/tests/fuzz/crashes/$t-*" || true)
  if [ -n "$crashes" ]; then
    # shellcheck disable=SC2086
    "$build/tests/fuzz/${t}_fuzz" -runs=1 -timeout=10 $crashes >"$log.crashes" 2>&1 || {
      failed=$((failed + 1))
      echo "fuzz: $t FAILED on a known crash in tests/fuzz/crashes/ (log: $log.crashes)"
      grep -E "Running: |fuzz: |SUMMARY: " "$log.crashes" | head -6 | sed 's/^/  /' || true
      continue
    }
  fi
  "$build/tests/fuzz/${t}_fuzz" -max_total_time="$secs" -max_len="$(max_len "$t")" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" "$root/tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2 || true)
  total_runs=$((total_runs + ${runs:-0}))
  found=$(find "$artifacts" -type f | head -5 || true)
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    failed=$((failed + 1))
    echo "fuzz: $t FAILED (exit $rc) after ${runs:-?} runs; inputs: ${found:-none}; log: $log"
    grep -E "ERROR: |SUMMARY: |fuzz: |runtime error|==[0-9]+==" "$log" | head -8 | sed 's/^/  /' || true
  else
    passed=$((passed + 1))
    echo "fuzz: $t ok: ${runs:-?} runs, cov ${cov:-?}, $(find "$corpus" -type f | wc -l) corpus files"
  fi
done
echo "fuzz: ${secs}s per target, $total_runs runs, build ${build_secs}s, total $((SECONDS - start))s"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

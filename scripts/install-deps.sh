#!/usr/bin/env bash
# Installs everything velostream needs to build and test, from Debian's packages and (test-only
# tools) the npm registry. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  libfmt-dev libspdlog-dev libre2-dev libsimdjson-dev libyaml-cpp-dev libreadline-dev
  zlib1g-dev libzstd-dev liblz4-dev libbz2-dev libsnappy-dev libbrotli-dev
  libcurl4-openssl-dev libssl-dev librdkafka-dev libprotobuf-dev libprotoc-dev libpq-dev libmariadb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
)
TEST_PACKAGES=(kcat python3-kafka python3-confluent-kafka avro-bin python3-avro python3-snappy python3-zstandard
  python3-boto3 awscli python3-azure python3-cryptography python3-protobuf protobuf-compiler)
# Node.js may already come from elsewhere (its npm conflicts with Debian's); only add Debian's if absent.
command -v npm >/dev/null 2>&1 || TEST_PACKAGES+=(nodejs npm)

missing=()
for p in "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Test-only tools from npm (DuckDB is the oracle our tests compare against).
if [[ "${VELO_SKIP_NPM:-0}" != 1 ]] && ! (for p in @duckdb/node-api apache-arrow hyparquet hyparquet-compressors parquet-wasm s3rver azurite; do [[ -d tests/node_modules/$p ]] || exit 1; done); then
  echo "install-deps: installing npm test tools"
  (cd tests && npm install --no-audit --no-fund --loglevel=error)
fi

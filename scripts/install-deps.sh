#!/usr/bin/env bash
# Installs the Debian 12 packages libselfservice builds, tests and benchmarks with.
# Idempotent: asks apt only for what is missing, so a warm machine pays a dpkg query and nothing else.
set -euo pipefail

packages=(
  cmake ninja-build ccache pkg-config g++ python3
  libboost1.81-dev libboost-json1.81-dev
  libcurl4-openssl-dev libssl-dev libsqlite3-dev
  libspdlog-dev libfmt-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  libargon2-dev
  libxapian-dev  # bench/search_bench only: the peer search engine
  abigail-tools  # abidiff: the C ABI against its baseline (tests/capi/check_abi.cmake)
  libboost-program-options1.81-dev  # examples/cli: the selfservice command line
  libjna-java libgoogle-gson-java default-jdk-headless  # bindings/java (JNA over the C ABI, Gson) and its tests
  python3-venv python3-setuptools python3-wheel  # installing bindings/python offline (tests/python)
  curl  # tests/server: the end-to-end test of portal_server
  wrk nginx-light  # bench/load: portal_server under load, nginx as the reference
)

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

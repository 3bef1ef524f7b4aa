#!/usr/bin/env bash
# Installs a libselfservice build tree into a fresh prefix and consumes it as a host would:
#   1. cmake --install <build-dir> --prefix <work-dir>/prefix
#   2. configures, builds and runs tests/package/consumer (find_package(selfservice), C and C++)
#   3. compiles the C consumer with `pkg-config --cflags --libs selfservice` and runs it
# Run by ctest (tests/package/CMakeLists.txt), which passes every path and tool.
set -euo pipefail

usage() {
  echo "usage: $0 --cmake <cmake> --generator <name> --build-dir <dir> --config <config>" \
       "--work-dir <dir> --consumer <dir> --libdir <relative libdir> --version <x.y.z>" \
       "--c-compiler <cc> --cxx-compiler <c++> --pkg-config <pkg-config>" >&2
  exit 2
}

while [[ $# -gt 0 ]]; do
  [[ $# -ge 2 ]] || usage
  case "$1" in
    --cmake) cmake="$2" ;;
    --generator) generator="$2" ;;
    --build-dir) build_dir="$2" ;;
    --config) config="$2" ;;
    --work-dir) work_dir="$2" ;;
    --consumer) consumer="$2" ;;
    --libdir) libdir="$2" ;;
    --version) version="$2" ;;
    --c-compiler) cc="$2" ;;
    --cxx-compiler) cxx="$2" ;;
    --pkg-config) pkg_config="$2" ;;
    *) usage ;;
  esac
  shift 2
done
for required in cmake generator build_dir config work_dir consumer libdir version cc cxx pkg_config; do
  [[ -n "${!required:-}" ]] || usage
done

step() { printf '\n=== %s\n' "$*"; }

# Expects the program's output to name the version it was built against.
run_consumer() {
  local output
  output="$("$@")"
  printf '%s\n' "$output"
  if [[ "$output" != *"selfservice $version"* ]]; then
    echo "FAIL: $* does not report selfservice $version" >&2
    exit 1
  fi
}

prefix="$work_dir/prefix"
rm -rf "$work_dir"
mkdir -p "$work_dir"

step "install $build_dir into $prefix"
"$cmake" --install "$build_dir" --prefix "$prefix" --config "$config"
for file in "include/selfservice.h" "include/selfservice/portal.hpp" "$libdir/libselfservice.so" \
            "$libdir/cmake/selfservice/selfservice-config.cmake" "$libdir/pkgconfig/selfservice.pc"; do
  [[ -e "$prefix/$file" ]] || { echo "FAIL: $file is not installed" >&2; exit 1; }
done

step "find_package(selfservice $version): configure and build $consumer"
"$cmake" -S "$consumer" -B "$work_dir/consumer-build" -G "$generator" \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  -DCMAKE_FIND_PACKAGE_PREFER_CONFIG=ON
"$cmake" --build "$work_dir/consumer-build" --config Release

step "run the find_package consumers"
run_consumer "$work_dir/consumer-build/consumer_cpp"
run_consumer "$work_dir/consumer-build/consumer_c"

step "pkg-config: compile and run the C consumer"
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
pc_version="$("$pkg_config" --modversion selfservice)"
if [[ "$pc_version" != "$version" ]]; then
  echo "FAIL: pkg-config reports selfservice $pc_version, expected $version" >&2
  exit 1
fi
read -r -a flags <<< "$("$pkg_config" --cflags --libs selfservice)"
echo "pkg-config --cflags --libs selfservice: ${flags[*]}"
"$cc" -std=c99 -Wall -Wextra -pedantic -Werror "$consumer/consumer.c" "${flags[@]}" -o "$work_dir/consumer_c_pkgconfig"
run_consumer env LD_LIBRARY_PATH="$prefix/$libdir" "$work_dir/consumer_c_pkgconfig"

step "PASS"
rm -rf "$work_dir"

#!/usr/bin/env bash
# ldd of a Kiln binary must not resolve anything from the drop-in's directory.
set -u
bin=$1 dropin=$2
# meson puts the drop-in on LD_LIBRARY_PATH for tests that depend on it; a
# user running kiln-cli has no such variable.
out=$(env -u LD_LIBRARY_PATH ldd "$bin") || { echo "ldd failed"; exit 1; }
if grep -F "$dropin" <<<"$out"; then
  echo "$bin resolves a library from the drop-in directory $dropin"
  exit 1
fi
readelf -d "$bin" | grep -E 'RPATH|RUNPATH' | grep -F "$(basename "$(dirname "$dropin")")/dropin" && {
  echo "$bin has the drop-in directory on its RPATH"; exit 1; }
exit 0

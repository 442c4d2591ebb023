#!/usr/bin/env bash
# meson setup that works on a fresh clone and on a configured build dir alike.
# Usage: .ci/setup-build.sh BUILDDIR [meson options…]
set -euo pipefail
dir=$1; shift
if [ -f "$dir/build.ninja" ]; then
  meson setup --reconfigure "$dir" "$@"
else
  rm -rf "$dir"
  meson setup "$dir" "$@"
fi

#!/usr/bin/env bash
# bench/faults.sh: syncs under injected faults, the long form of
# tests/test-fault-syncs.c: 1,000 `calsync --sync --json` runs (or $1) across
# the fake Google, the fake Graph and Radicale through fault proxies, with
# random local edits and server-side changes. Prints crashes, hangs, lost local
# edits, faults by kind and syncs per minute.
#
# Usage: bench/faults.sh [SYNCS] [BUILDDIR]   (defaults: 1000, build)
# CALSYNC_RANDOM_SEED picks another seed. Needs Radicale, gnome-keyring and
# dbus-run-session, as the tests do.
set -euo pipefail
syncs=${1:-1000}
build=${2:-build}
cd "$(dirname "$0")/.."
meson compile -C "$build" tests/test-fault-syncs calsync >/dev/null
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
HOME=$(mktemp -d) CALSYNC_TEST_NO_SKIP=1 CALSYNC_FAULT_SYNCS=$syncs \
  dbus-run-session -- meson test -C "$build" --timeout-multiplier 0 --verbose test-fault-syncs \
  >"$log" 2>&1 || status=$?
grep -E '# (figures|FAILURE|failure [0-9]+):' "$log" | sed -e 's/^.*# //' || true
grep -E '^(Ok|Fail|Timeout):' "$log" || true
exit $status

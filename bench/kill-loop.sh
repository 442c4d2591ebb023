#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# kill-loop.sh: the long form of tests/test-kill-loop.c — `calsync --sync`
# killed with SIGKILL 100 times (during pages, between the last page and the
# cursor save, during a push, at random moments) against the fake Google, the
# fake Graph and a real Radicale, with local edits pending. Prints the kills,
# where each landed, the integrity checks, the syncs to converge and the
# edits found on the server or reported.
#
# Usage: bench/kill-loop.sh [BUILDDIR] (default: build)
#   CALSYNC_KILLS (100), CALSYNC_KILL_SEED, CALSYNC_KILL_EVENTS (600) pass through.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$here/$build" ;; esac
program="$build/tests/test-kill-loop"
[ -x "$program" ] || { echo "kill-loop: $program not built (meson compile -C $build)" >&2; exit 1; }

export CALSYNC_KILLS="${CALSYNC_KILLS:-100}"
export G_TEST_SRCDIR="$here/tests" G_TEST_BUILDDIR="$build/tests"
export GSETTINGS_SCHEMA_DIR="$build/data" GSETTINGS_BACKEND=memory
start=$(date +%s)
status=0
"$here/tests/run-with-keyring.sh" "$program" || status=$?
echo "wall time: $(( $(date +%s) - start )) s, exit status $status"
exit $status

#!/usr/bin/env bash
# Runs each libFuzzer target (tests/fuzz) for N executions (default 10 million)
# and prints, per target, the executions, the time, execs/s, the result and the
# corpus size. The corpus grows in BUILDDIR/fuzz-corpus/<target> from one run
# to the next (seeded from tests/fuzz/corpus/<target>); what a target finds is
# in BUILDDIR/fuzz-artifacts/ and its log in BUILDDIR/fuzz-logs/.
#
# Usage: bench/fuzz.sh [N] [TARGET…]     (targets: google outlook caldav ical oauth)
#   CALSYNC_FUZZ_BUILD  the build directory (default build-fuzz; configured
#                       here with clang, ASan + UBSan and -Dfuzzing=true)
#   CALSYNC_FUZZ_SECONDS  a time bound instead of N (seconds per target)
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${1:-10000000}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(google outlook caldav ical oauth)
build=${CALSYNC_FUZZ_BUILD:-build-fuzz}
declare -A max_len=([google]=65536 [outlook]=65536 [caldav]=65536 [ical]=65536 [oauth]=4096)

CC=clang bash .ci/setup-build.sh "$build" --werror --buildtype=debugoptimized \
  -Db_sanitize=address,undefined -Db_lundef=false -Dfuzzing=true >/dev/null || exit 1
meson compile -C "$build" "${targets[@]/#/fuzz-}" >/dev/null || exit 1
mkdir -p "$build/fuzz-logs"

status=0
printf '%-8s %12s %9s %9s %8s  %s\n' target execs seconds execs/s corpus result
for t in "${targets[@]}"; do
  log=$build/fuzz-logs/$t.log
  start=$(date +%s.%N)
  if [ -n "${CALSYNC_FUZZ_SECONDS:-}" ]; then
    CALSYNC_FUZZ_CORPUS=$PWD/$build/fuzz-corpus/$t \
      tests/fuzz/run-fuzz.sh "$build/tests/fuzz/fuzz-$t" "tests/fuzz/corpus/$t" "${max_len[$t]}" "$build" >"$log" 2>&1
  else
    CALSYNC_FUZZ_RUNS=$runs CALSYNC_FUZZ_CORPUS=$PWD/$build/fuzz-corpus/$t \
      tests/fuzz/run-fuzz.sh "$build/tests/fuzz/fuzz-$t" "tests/fuzz/corpus/$t" "${max_len[$t]}" "$build" >"$log" 2>&1
  fi
  rc=$?
  end=$(date +%s.%N)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus=$(find "$build/fuzz-corpus/$t" -type f | wc -l)
  if [ $rc -eq 0 ]; then
    result=ok
  else
    status=1
    result="FAILED (exit $rc): $(grep -m1 -oE 'ERROR: [A-Za-z]+: [^ ]+[^(]*|runtime error: .*|Test unit written to .*' "$log" | head -1)"
  fi
  python3 -c 'import sys; e=int(sys.argv[1] or 0); s=float(sys.argv[3])-float(sys.argv[2]);
print("%-8s %12d %9.0f %9.0f %8s  %s" % (sys.argv[4], e, s, e / s if s > 0 else 0, sys.argv[5], sys.argv[6]))' \
    "${execs:-0}" "$start" "$end" "$t" "$corpus" "$result"
done
exit $status

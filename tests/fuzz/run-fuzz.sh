#!/usr/bin/env bash
# Runs one libFuzzer target on a copy of its seed corpus (the seeds stay as
# they are) and fails on any crash, leak, UBSan report, timeout or OOM; the
# input that found it is kept in BUILDDIR/fuzz-artifacts/.
# Usage: run-fuzz.sh TARGET SEED_DIR MAX_LEN BUILDDIR
# CALSYNC_FUZZ_SECONDS (default 30) or CALSYNC_FUZZ_RUNS (executions) bound the run;
# CALSYNC_FUZZ_CORPUS names a directory to keep the grown corpus in.
set -euo pipefail
target=$1 seeds=$2 max_len=$3 builddir=$4
name=$(basename "$target")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
corpus=${CALSYNC_FUZZ_CORPUS:-$work/corpus}
mkdir -p "$corpus" "$builddir/fuzz-artifacts"
cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true

if [ -n "${CALSYNC_FUZZ_RUNS:-}" ]; then
  bound=(-runs="$CALSYNC_FUZZ_RUNS")
else
  bound=(-max_total_time="${CALSYNC_FUZZ_SECONDS:-30}")
fi

# GLib's slice allocator off, so that LeakSanitizer sees every block; UBSan
# stops at the first report with a stack. The fast unwinder stops at GLib's
# frames (no frame pointers) but is what makes 10,000s of execs/s possible;
# to see a leak's whole stack, run the target on the artifact with
# ASAN_OPTIONS=fast_unwind_on_malloc=0.
export G_SLICE=always-malloc G_DEBUG=gc-friendly
# Options of the environment (meson test sets some) come after ours and win.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:print_summary=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}

# A finding fails the test: libFuzzer's own exit code (77) is meson's "skipped"
"$target" "${bound[@]}" -error_exitcode=1 -timeout_exitcode=1 -rss_limit_mb=2048 -timeout=10 -max_len="$max_len" \
  -print_final_stats=1 -artifact_prefix="$builddir/fuzz-artifacts/$name-" \
  "$corpus"
echo "$name: corpus $(find "$corpus" -type f | wc -l) files"

#!/usr/bin/env bash
# Takes the README/metainfo screenshots under Xvfb from a seeded demo database.
# Usage: tests/screenshots.sh BUILDDIR [OUTDIR] (default OUTDIR: data/screenshots)
# Optional: STYLE=dark for the dark style.
set -euo pipefail
build=$(realpath "${1:-build}")
out=$(realpath -m "${2:-data/screenshots}")
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

export XDG_DATA_HOME=$tmp/data XDG_CONFIG_HOME=$tmp/config HOME=$tmp
export GSETTINGS_SCHEMA_DIR=$build/data GSETTINGS_BACKEND=keyfile
export GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1
export CALSYNC_NOW=${CALSYNC_NOW:-2026-11-25T11:20:00+01:00} TZ=${TZ:-Europe/Berlin}
export LANGUAGE=${LANGUAGE:-C} LC_ALL=${LC_ALL:-C.UTF-8}
[ "${STYLE:-}" = dark ] && export ADW_DEBUG_COLOR_SCHEME=prefer-dark

"$build/tests/calsync-seed" --now=2026-11-25
gsettings set org.example.CalSync window-width 1280
gsettings set org.example.CalSync window-height 800
gsettings set org.example.CalSync last-view month

dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  "$0/src/calsync" & pid=$!
  sleep 3
  import -window root "$1/month${SUFFIX:-}.png"
  xdotool key alt+2
  sleep 1.5
  import -window root "$1/week${SUFFIX:-}.png"
  xdotool key ctrl+q
  sleep 0.5
  kill $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
' "$build" "$out"
echo "Screenshots in $out"

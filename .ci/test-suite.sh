#!/usr/bin/env bash
# Installs what is missing, builds with --werror and runs the whole test suite in a
# private D-Bus session (with a real, unlocked gnome-keyring) under Xvfb; then builds
# and runs it again with AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-deps.sh

run_suite () {
  local dir=$1
  local home
  home=$(mktemp -d)
  # A throwaway HOME keeps the keyring and any user data out of the real one.
  HOME="$home" dbus-run-session -- sh -c '
    echo "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec xvfb-run -a -s "-screen 0 1280x800x24" meson test -C "$1" --print-errorlogs --num-processes 2
  ' sh "$dir"
  local status=$?
  rm -rf "$home"
  return $status
}

bash .ci/setup-build.sh build-ci --werror --buildtype=debugoptimized
meson compile -C build-ci
run_suite build-ci

bash .ci/setup-build.sh build-asan --werror --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
meson compile -C build-asan
run_suite build-asan

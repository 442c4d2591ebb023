#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# run-with-keyring.sh: runs one test in a session of its own — a throwaway HOME and
# XDG directories, a private D-Bus session bus and an unlocked gnome-keyring for
# libsecret — so that it never touches, nor waits for, the caller's keyring (a
# locked one would prompt) and shares no bus name with another test. The rest of
# the environment passes through (meson's test env, ASAN_OPTIONS, LSAN_OPTIONS,
# DISPLAY…).
#
# Usage: run-with-keyring.sh [--display] PROGRAM [ARG…]
#   --display  PROGRAM opens windows: skipped when there is no DISPLAY or WAYLAND_DISPLAY
# e.g. tests/run-with-keyring.sh gdb --args build/tests/test-secrets
#
# Exit status: PROGRAM's; 77 (meson: skipped) when dbus-run-session, dbus-send or
# gnome-keyring-daemon is missing or, with --display, there is no display; 99
# (meson: error) instead of 77 when CALSYNC_TEST_NO_SKIP is set (CI), and when the
# keyring does not start.
set -u

error () {
  echo "run-with-keyring: $1" >&2
  exit 99
}

skip () {
  [ -z "${CALSYNC_TEST_NO_SKIP:-}" ] || error "$1 (CALSYNC_TEST_NO_SKIP is set: not skipping)"
  echo "run-with-keyring: skipped: $1" >&2
  exit 77
}

# The PID of the process that owns @1 on the session bus, or nothing
bus_name_owner_pid () {
  dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.GetConnectionUnixProcessID "string:$1" 2>/dev/null | awk '{ print $NF }'
}

# Whether @1 has ended (a zombie has too: no init reaps it in some containers)
ended () {
  ! kill -0 "$1" 2>/dev/null || [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" = Z ]
}

# Inside dbus-run-session: unlock a new keyring, run the program, stop the keyring by PID
in_session () {
  # A newline, not an empty stdin: with no password line the daemon prompts (TESTING.md)
  echo "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null ||
    error "gnome-keyring-daemon did not start"
  # It takes the bus name a moment after --unlock returned
  tries=0
  while [ -z "$(bus_name_owner_pid org.freedesktop.secrets)" ] && [ $tries -lt 200 ]; do
    sleep 0.05
    tries=$((tries + 1))
  done
  keyring_pid=$(bus_name_owner_pid org.freedesktop.secrets)
  [ -n "$keyring_pid" ] || error "no secret service on the private bus after 10 s"
  export CALSYNC_TEST_PRIVATE_KEYRING=1

  "$@"
  status=$?

  kill "$keyring_pid" 2>/dev/null
  tries=0
  while ! ended "$keyring_pid" && [ $tries -lt 100 ]; do
    sleep 0.05
    tries=$((tries + 1))
  done
  exit $status
}

if [ "${1:-}" = --in-session ]; then
  shift
  in_session "$@"
fi

display=
if [ "${1:-}" = --display ]; then
  display=1
  shift
fi
[ $# -ge 1 ] || error "usage: run-with-keyring.sh [--display] PROGRAM [ARG…]"

for program in dbus-run-session dbus-send gnome-keyring-daemon; do
  command -v "$program" >/dev/null 2>&1 || skip "$program not found (Debian: dbus, gnome-keyring)"
done
if [ -n "$display" ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  skip "no display (run the tests under xvfb-run, see .ci/test-suite.sh)"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/calsync-session-XXXXXX") || error "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# The caller's display stays reachable from the new HOME and runtime directory
case "${WAYLAND_DISPLAY:-/}" in
  /*) ;;
  *) export WAYLAND_DISPLAY="${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/$WAYLAND_DISPLAY" ;;
esac
if [ -n "${DISPLAY:-}" ] && [ -z "${XAUTHORITY:-}" ] && [ -f "${HOME:-/nonexistent}/.Xauthority" ]; then
  export XAUTHORITY="$HOME/.Xauthority"
fi

mkdir "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/state" "$tmp/tmp" &&
  mkdir -m 700 "$tmp/runtime" || error "cannot create the session directories"
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
  XDG_CACHE_HOME="$tmp/cache" XDG_STATE_HOME="$tmp/state" XDG_RUNTIME_DIR="$tmp/runtime" \
  TMPDIR="$tmp/tmp"
# Nothing of the caller's session: gnome-keyring-daemon --unlock would unlock the
# daemon that GNOME_KEYRING_CONTROL names, with an empty password
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK CALSYNC_TEST_PRIVATE_KEYRING

dbus-run-session -- sh "$0" --in-session "$@"

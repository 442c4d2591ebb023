#!/usr/bin/env bash
# Installs what is missing, builds CalSync, installs it to /usr/local and starts it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps.sh
bash .ci/setup-build.sh build --prefix=/usr/local --buildtype=release
meson compile -C build
meson install -C build --quiet
exec /usr/local/bin/calsync "$@"

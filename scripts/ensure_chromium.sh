#!/usr/bin/env bash
# Make sure Debian's Chromium (and a Chinese font, so pages are not drawn as boxes) is installed
# for the dashboard's browser test (tests/e2e/test_dashboard.py).
#
#   scripts/ensure_chromium.sh        # harmless when both are there already
#
# Installs with apt-get from Debian's mirrors (Playwright's own browser download does not work
# on these machines). Needs root, or passwordless sudo. Exits non-zero when Chromium is still
# missing afterwards, so a caller running with CI=true fails instead of skipping the test.
set -euo pipefail

CHROMIUM="${HAZARD_CHROMIUM:-/usr/bin/chromium}"
packages=()
[ -x "$CHROMIUM" ] || packages+=(chromium)
if ! { command -v fc-list >/dev/null && fc-list :lang=zh family | grep -q .; }; then
    packages+=(fonts-wqy-microhei)
fi
if [ ${#packages[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "ensure_chromium: ${packages[*]} missing and not root (no passwordless sudo); install them with apt-get" >&2
    exit 1
fi

echo "ensure_chromium: installing ${packages[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
# the package lists may be missing on a fresh machine, or too old to name the current version
"${as_root[@]}" apt-get update -qq >&2 || true
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2

if [ ! -x "$CHROMIUM" ]; then
    echo "ensure_chromium: $CHROMIUM still missing after apt-get install" >&2
    exit 1
fi

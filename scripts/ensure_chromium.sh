#!/usr/bin/env bash
# Make sure Debian's Chromium (and a Chinese font, so pages are not drawn as boxes) is installed
# for the dashboard's browser test (tests/e2e/test_dashboard.py), and Debian's nginx for the
# replicas' test behind the repository's deploy/nginx.conf (tests/e2e/test_replicas.py).
#
#   scripts/ensure_chromium.sh        # harmless when both are there already
#
# Installs with apt-get from Debian's mirrors (Playwright's own browser download does not work
# on these machines). Needs root, or passwordless sudo. Exits non-zero when Chromium is still
# missing afterwards, so a caller running with CI=true fails instead of skipping the test.
# When another apt/dpkg process holds the package locks (unattended upgrades, another
# installation), it waits for them — up to HAZARD_APT_LOCK_WAIT seconds (default 600), saying
# so every 10 s — instead of failing at once.
set -euo pipefail

CHROMIUM="${HAZARD_CHROMIUM:-/usr/bin/chromium}"
LOCK_WAIT="${HAZARD_APT_LOCK_WAIT:-600}"
APT_LOCKS=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock)
packages=()
[ -x "$CHROMIUM" ] || packages+=(chromium)
if ! { command -v fc-list >/dev/null && fc-list :lang=zh family | grep -q .; }; then
    packages+=(fonts-wqy-microhei)
fi
# nginx in front of the API replicas (tests/e2e/test_replicas.py runs deploy/nginx.conf)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || packages+=(nginx-light)
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

lock_holders() {  # the processes that have a package lock open (none: empty)
    command -v fuser >/dev/null || return 0
    "${as_root[@]}" fuser "${APT_LOCKS[@]}" 2>/dev/null | tr -s ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ' || true
}

wait_for_apt() {  # until no other apt/dpkg holds the locks; 1 after LOCK_WAIT seconds
    local waited=0 holders
    while holders="$(lock_holders)" && [ -n "$holders" ]; do
        if [ "$waited" -ge "$LOCK_WAIT" ]; then
            echo "ensure_chromium: 等待 ${LOCK_WAIT} 秒后软件包锁仍被占用（进程 ${holders% }），放弃安装" >&2
            return 1
        fi
        if [ $((waited % 10)) -eq 0 ]; then
            echo "ensure_chromium: 另一个 apt/dpkg 进程（${holders% }）正占用软件包锁，等待中（已等 ${waited} 秒，最多 ${LOCK_WAIT} 秒）" >&2
        fi
        sleep 1
        waited=$((waited + 1))
    done
}

echo "ensure_chromium: installing ${packages[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
# apt itself also waits for the dpkg lock (a process that takes it between our look and apt's)
apt_get=("${as_root[@]}" apt-get -o "DPkg::Lock::Timeout=$LOCK_WAIT")
# the package lists may be missing on a fresh machine, or too old to name the current version
wait_for_apt
"${apt_get[@]}" update -qq >&2 || true
wait_for_apt
"${apt_get[@]}" install -y -qq --no-install-recommends "${packages[@]}" >&2

if [ ! -x "$CHROMIUM" ]; then
    echo "ensure_chromium: $CHROMIUM still missing after apt-get install" >&2
    exit 1
fi

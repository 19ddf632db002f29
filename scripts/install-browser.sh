#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (never a downloaded build). Install it when we are
# root and it is missing; otherwise say what is missing and let the tests decide (under CI=true
# they fail rather than skip).
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Debian chromium and chromium-driver"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
else
    echo "warning: /usr/bin/chromium is missing and this user cannot apt-get install it" >&2
fi

#!/usr/bin/env bash
# Creates ./.venv with a Python >= 3.11 and installs the project into it.
# Sourced by scripts/serve and scripts/test; installs again only when pyproject.toml changed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
extras="${1:-}"

pick_python() {
    for candidate in "${VC_PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            echo "$candidate"; return 0
        fi
    done
    echo "error: Python 3.11 or newer is needed (set VC_PYTHON to its path)" >&2
    return 1
}

venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
    py="$(pick_python)"
    echo "==> creating virtualenv in .venv with $("$py" --version)"
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
fi

stamp="$venv/.installed${extras:+-$extras}"
want="$(sha256sum "$root/pyproject.toml" | cut -c1-64)"
installed() { [ -f "$1" ] && [ "$(cat "$1")" = "$want" ]; }
# An install with the dev extras also satisfies a plain one.
if installed "$stamp" || { [ -z "$extras" ] && installed "$venv/.installed-dev"; }; then
    :
else
    spec="$root"
    [ -n "$extras" ] && spec="$root[$extras]"
    echo "==> installing vc-service${extras:+ with [$extras]} into .venv (first run takes a minute or two)"
    "$venv/bin/python" -m pip install --quiet --progress-bar off -e "$spec"
    echo "$want" > "$stamp"
fi
export PATH="$venv/bin:$PATH"

#!/usr/bin/env bash
# Runs the whole suite. pytest's exit code 5 (no tests collected) is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/bin:$PATH"
# The explorer's tests drive a real headless Chromium (Debian's chromium and chromium-driver).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    echo "[test] installing chromium and chromium-driver (the explorer's browser tests)"
    apt-get -o DPkg::Lock::Timeout=900 update -q >/dev/null \
        && apt-get -o DPkg::Lock::Timeout=900 install -y -q chromium chromium-driver >/dev/null \
        || { echo "[test] could not install chromium (apt-get as root)" >&2; exit 1; }
fi
bash scripts/postgres.sh || exit 1
.venv/bin/ruff check . || exit 1
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
    echo "no tests were collected: failing" >&2
    exit 1
fi
exit "$rc"

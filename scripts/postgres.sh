#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries when missing (the suite starts throwaway
# clusters from /usr/lib/postgresql/*/bin for the index's PostgreSQL tests). Idempotent.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    exit 0
fi
echo "[test] installing postgresql (Debian package) for the index's PostgreSQL tests"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq postgresql >/dev/null

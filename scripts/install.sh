#!/usr/bin/env bash
# Idempotent, project-local install: .venv/, bin/cometbft, bin/abci-cli and the Python
# protobuf modules generated from the pinned CometBFT module's own proto/ folder.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
# shellcheck source=versions.env
source scripts/versions.env
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null || PY=python3

say() { printf '[install] %s\n' "$*"; }

# 1. Python environment
if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    "$PY" -m venv .venv
fi
STAMP=.venv/.fictra-installed
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ] || [ scripts/constraints.txt -nt "$STAMP" ]; then
    say "installing Python package and dependencies (versions locked by scripts/constraints.txt)"
    mkdir -p build
    if ! .venv/bin/python -m pip install -c scripts/constraints.txt -e '.[dev]' \
            > build/pip-install.log 2>&1; then
        tail -30 build/pip-install.log >&2
        say "pip install failed (full log: build/pip-install.log)"
        exit 1
    fi
    touch "$STAMP"
fi

# 2. CometBFT binaries, built from the module proxy at the pinned tag
export GOBIN="$ROOT/bin"
export GOTOOLCHAIN="${GOTOOLCHAIN_OVERRIDE:-auto}"
mkdir -p "$GOBIN"
want="${COMETBFT_VERSION#v}"
have="$("$GOBIN/cometbft" version 2>/dev/null || true)"
if [ "$have" != "$want" ]; then
    say "building cometbft $COMETBFT_VERSION (a few minutes the first time)"
    go install "github.com/cometbft/cometbft/cmd/cometbft@$COMETBFT_VERSION"
fi
if [ ! -x "$GOBIN/abci-cli" ] || [ "$(cat "$GOBIN/.abci-cli-version" 2>/dev/null)" != "$COMETBFT_VERSION" ]; then
    say "building abci-cli $COMETBFT_VERSION"
    go install "github.com/cometbft/cometbft/abci/cmd/abci-cli@$COMETBFT_VERSION"
    echo "$COMETBFT_VERSION" > "$GOBIN/.abci-cli-version"
fi

# 3. Python protobuf modules for the ABCI messages (never committed)
if [ "$(cat abci/pb/.version 2>/dev/null)" != "$COMETBFT_VERSION" ]; then
    say "generating ABCI protobuf modules from cometbft $COMETBFT_VERSION"
    .venv/bin/python scripts/gen_abci_proto.py "$COMETBFT_VERSION" abci/pb
fi
say "ready: $(bin/cometbft version) in bin/, Python in .venv/"

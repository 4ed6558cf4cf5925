"""Where the CometBFT binaries built by ``make install`` live."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def tool(name: str) -> str:
    """Path of ``cometbft`` or ``abci-cli``: $FICTRA_<NAME>, the project's bin/, then PATH."""
    env = os.environ.get("FICTRA_" + name.upper().replace("-", "_"))
    if env:
        return env
    local = PROJECT_ROOT / "bin" / name
    if local.is_file():
        return str(local)
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(f"{name} not found: run `make install` (it builds bin/{name})")


def cometbft() -> str:
    return tool("cometbft")

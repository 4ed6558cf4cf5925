"""What a node's stores take on disk: the app's shards and snapshots, CometBFT's databases
and its consensus WAL (for ``fictra bench disk`` and ``fictra node compact``)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

COMETBFT_STORES = ("blockstore.db", "state.db", "tx_index.db", "evidence.db", "cs.wal")


def dir_bytes(path: Path) -> int:
    """Bytes allocated on disk under ``path`` (st_blocks, as ``du`` counts)."""
    if not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_blocks * 512
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            # a file removed between the listing and the stat (a compaction) counts nothing
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
    return total


def store_sizes(home: Path) -> dict[str, int]:
    """Every store of the node in ``home``: name -> bytes on disk."""
    data = home / "data"
    out: dict[str, int] = {}
    state = data / "state"
    if state.exists():
        for entry in sorted(state.iterdir()):
            name = "snapshots" if entry.name == "snapshots" else f"state/{entry.name}"
            out[name] = dir_bytes(entry)
    for name in COMETBFT_STORES:
        out[name] = dir_bytes(data / name)
    return out

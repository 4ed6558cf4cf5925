"""Opening a stopped node's store, for the commands that work on a node home offline
(``apphash``, ``diff``, ``snapshot``, ``rollback``, ``compact``): LevelDB's lock on the store
proves the node is stopped, and holding it keeps the node from starting meanwhile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.modules import SHARDS
from app.node.config import store_options
from state.errors import StoreError
from state.store import Store


def open_options(home: Path) -> dict[str, Any]:
    """The ``[state]`` keys of ``app.toml`` that opening the store takes."""
    return {k: v for k, v in store_options(home).items()
            if k in ("keep_recent", "archive", "cache_mb")}


def open_stopped_store(home: Path, error: type[Exception], *, cometbft: bool = False) -> Store:
    """The app's store of the stopped node in ``home``; ``error`` (one line) if there is no
    node state (or, with ``cometbft``, no CometBFT config) or the node is running."""
    home = Path(home)
    path = home / "data" / "state"
    if not path.is_dir():
        raise error(f"{home} is not a node home: no node state in {path}")
    if cometbft and not (home / "config" / "config.toml").is_file():
        raise error(f"{home} is not a node home: no config/config.toml")
    try:
        return Store.open(path, shards=SHARDS, **open_options(home))
    except (OSError, StoreError) as e:  # LevelDB's lock: the node is running
        raise error(f"cannot open {path} ({e}); stop the node first") from None

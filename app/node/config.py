"""A node's own configuration: the optional ``<home>/config/app.toml`` and the application
opened on the store in ``<home>/data/state`` (metered when the node serves metrics)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from app.application import FictraApp
from app.modules import SHARDS
from app.node import testfaults
from state.store import Store

STATE_KEYS = frozenset({"keep_recent", "archive", "cache_mb", "snapshot_interval",
                        "snapshot_keep_recent"})


def store_options(home: Path) -> dict[str, Any]:
    """The ``[state]`` table of ``<home>/config/app.toml``: Store.open keyword arguments."""
    path = Path(home) / "config" / "app.toml"
    if not path.exists():
        return {}
    with path.open("rb") as f:
        section = tomllib.load(f).get("state", {})
    unknown = set(section) - STATE_KEYS
    if unknown:
        raise ValueError(f"{path}: unknown [state] keys: {', '.join(sorted(unknown))}")
    return dict(section)


NODE_KEYS = frozenset({"halt_height", "statesync_fallback_s", "signature_workers"})
DEFAULT_STATESYNC_FALLBACK_S = 60


def _node_section(home: Path) -> dict[str, Any]:
    path = Path(home) / "config" / "app.toml"
    if not path.exists():
        return {}
    with path.open("rb") as f:
        section = tomllib.load(f).get("node", {})
    unknown = set(section) - NODE_KEYS
    if unknown:
        raise ValueError(f"{path}: unknown [node] keys: {', '.join(sorted(unknown))}")
    return dict(section)


def _non_negative(home: Path, key: str, default: int) -> int:
    value = _node_section(home).get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{Path(home) / 'config' / 'app.toml'}: [node] {key} must be a "
                         "non-negative integer")
    return value


def halt_height(home: Path) -> int:
    """``halt_height`` of ``[node]`` in ``<home>/config/app.toml`` (0: none)."""
    return _non_negative(home, "halt_height", 0)


def statesync_fallback_s(home: Path) -> int:
    """``statesync_fallback_s`` of ``[node]``: seconds a state-syncing node waits for a
    snapshot offer before it falls back to block sync (0: wait for ever)."""
    return _non_negative(home, "statesync_fallback_s", DEFAULT_STATESYNC_FALLBACK_S)


def signature_workers(home: Path) -> int:
    """``signature_workers`` of ``[node]``: processes that check batches of signatures for
    the node (default one per core, at most 4; 0: threads of the node's own process)."""
    return min(_non_negative(home, "signature_workers", os.cpu_count() or 1), 4)


def metrics_listen(home: Path) -> tuple[str, int] | None:
    """``listen`` of ``[metrics]`` in ``<home>/config/app.toml`` as (host, port): where the
    app serves its Prometheus metrics; None when absent or ``""`` (no metrics)."""
    path = Path(home) / "config" / "app.toml"
    if not path.exists():
        return None
    with path.open("rb") as f:
        section = tomllib.load(f).get("metrics", {})
    unknown = set(section) - {"listen"}
    if unknown:
        raise ValueError(f"{path}: unknown [metrics] keys: {', '.join(sorted(unknown))}")
    value = section.get("listen", "")
    if not isinstance(value, str):
        raise ValueError(f"{path}: [metrics] listen must be a string \"HOST:PORT\" or \"\"")
    if not value:
        return None
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{path}: [metrics] listen must be \"HOST:PORT\" (e.g. "
                         f"\"127.0.0.1:26658\") or \"\" for none, got {value!r}")
    return host, int(port)


def create_app(home: Path, halt_at: int = 0, *, metered: bool = False) -> FictraApp:
    """The application of the node in ``home``, on its store; ``halt_at`` (or app.toml's
    halt_height) is the height after whose commit the node stops. ``metered``: a
    ``MeteredApp``, which records the node's metrics."""
    home = Path(home)
    opts = store_options(home)
    store = Store.open(home / "data" / "state", shards=SHARDS, **opts)
    keep = 0 if opts.get("archive") else opts.get("keep_recent", 3_888_000)
    cls = FictraApp
    if metered:
        # imported here: prometheus_client costs the commands that only read app.toml
        from app.node.metered import MeteredApp

        cls = MeteredApp
    app = cls(store, keep_recent=keep, store_options=opts,
              halt_height=halt_at or halt_height(home),
              signature_workers=signature_workers(home))
    try:
        testfaults.install(app, home)  # nothing unless FICTRA_TEST_FAULTS is set (tests only)
    except testfaults.FaultConfigError:
        app.close()
        raise
    return app

"""Looking into a stopped node's store: the app hash at a height with every shard's root, and
where two nodes' states differ (how an operator finds the cause of an app hash mismatch)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.modules import SHARDS
from app.node.offline import open_stopped_store
from state.hashing import app_hash_of
from state.store import Store

_MISSING = object()


class InspectError(Exception):
    """A clear, one-line reason (no store, a running node, a height not kept)."""


def open_store(home: Path) -> Store:
    return open_stopped_store(home, InspectError)


def _height(store: Store, height: int | None) -> int:
    h = height or store.height
    if store.height == 0:
        raise InspectError("the node has committed no block")
    if not store.earliest_height <= h <= store.height:
        raise InspectError(f"height {h} is not kept (kept: {store.earliest_height}.."
                           f"{store.height})")
    return h


def roots_at(store: Store, height: int) -> dict[str, bytes]:
    return {s: store.root_at(s, height)[1] for s in SHARDS}


def app_hash(home: Path, height: int | None = None) -> dict[str, Any]:
    """``{"height", "app_hash", "shards": {name: root}}`` (hex, upper case like CometBFT)."""
    store = open_store(home)
    try:
        h = _height(store, height)
        roots = roots_at(store, h)
        return {"height": h, "app_hash": app_hash_of(roots.items()).hex().upper(),
                "shards": {s: r.hex().upper() for s, r in roots.items()}}
    finally:
        store.close()


def _merged(a: Iterator[tuple[bytes, bytes]], b: Iterator[tuple[bytes, bytes]]
            ) -> Iterator[tuple[bytes, Any, Any]]:
    """(key, value in a or _MISSING, value in b or _MISSING) over both sorted streams."""
    x, y = next(a, None), next(b, None)
    while x is not None or y is not None:
        if y is None or (x is not None and x[0] < y[0]):
            yield x[0], x[1], _MISSING  # type: ignore[index]
            x = next(a, None)
        elif x is None or y[0] < x[0]:
            yield y[0], _MISSING, y[1]
            y = next(b, None)
        else:
            yield x[0], x[1], y[1]
            x, y = next(a, None), next(b, None)


def _show(value: Any) -> str | None:
    return None if value is _MISSING else value.hex()


def diff(home_a: Path, home_b: Path, height: int | None = None, limit: int = 10
         ) -> dict[str, Any]:
    """The shards whose roots differ at ``height`` and, in each, the first ``limit`` keys
    whose values differ (hex; null where a key is absent on that side)."""
    a, b = open_store(home_a), open_store(home_b)
    try:
        h = _height(a, height or min(a.height, b.height))
        _height(b, h)
        ra, rb = roots_at(a, h), roots_at(b, h)
        shards = []
        for s in SHARDS:
            if ra[s] == rb[s]:
                continue
            keys = []
            for key, va, vb in _merged(a.iterate(s, height=h), b.iterate(s, height=h)):
                if va != vb:
                    keys.append({"key": key.hex(), "a": _show(va), "b": _show(vb)})
                    if len(keys) == limit:
                        break
            shards.append({"shard": s, "root_a": ra[s].hex().upper(),
                           "root_b": rb[s].hex().upper(), "keys": keys})
        return {"height": h, "same": not shards, "shards": shards,
                "app_hash_a": app_hash_of(ra.items()).hex().upper(),
                "app_hash_b": app_hash_of(rb.items()).hex().upper()}
    finally:
        a.close()
        b.close()

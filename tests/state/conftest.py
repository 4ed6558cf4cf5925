"""Shared helpers for the state tests: the shard list, a naive reference tree and store
factories."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from state.hashing import EMPTY, bit, inner_hash, key_path, leaf_hash, value_hash
from state.store import Store

# The store knows no shard names: the tests give their own (not in sorted order, so the
# app hash's sorting is exercised). test_formats.py uses the application's list.
SHARDS = ("red", "green", "blue", "cyan", "amber")


def reference_root(pairs: dict[bytes, bytes]) -> bytes:
    """The shard root computed straight from the definition (no pages, no caching)."""
    leaves = sorted((key_path(k), value_hash(v)) for k, v in pairs.items())

    def rec(items: list[tuple[bytes, bytes]], depth: int) -> bytes:
        if not items:
            return EMPTY
        if len(items) == 1:
            return leaf_hash(*items[0])
        left = [i for i in items if not bit(i[0], depth)]
        right = [i for i in items if bit(i[0], depth)]
        return inner_hash(rec(left, depth + 1), rec(right, depth + 1))

    return rec(leaves, 0)


@pytest.fixture
def open_store(tmp_path: Path) -> Iterator:
    opened: list[Store] = []

    def factory(name: str = "state", **kw: object) -> Store:
        store = Store.open(tmp_path / name, **{"shards": SHARDS, **kw})
        opened.append(store)
        return store

    yield factory
    for s in opened:
        s.close()


class Stores:
    """Fresh stores in a temporary directory, closed and removed on exit (for hypothesis
    examples, which cannot use function-scoped fixtures)."""

    def __init__(self, **kw: object) -> None:
        self.kw = {"shards": SHARDS, **kw}
        self.opened: list[Store] = []

    def __enter__(self) -> Stores:
        self._tmp = tempfile.TemporaryDirectory(prefix="fictra-state-")
        return self

    def open(self, name: str = "state", **kw: object) -> Store:
        store = Store.open(Path(self._tmp.name) / name, **{**self.kw, **kw})
        self.opened.append(store)
        return store

    def __exit__(self, *exc: object) -> None:
        for s in self.opened:
            s.close()
        self._tmp.cleanup()

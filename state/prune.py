"""Pruning: each block lists, per shard, the entries it made stale; once a block falls out
of the kept window its list is replayed as deletes. At most PRUNE_BLOCKS lists per block,
so the work per block is bounded by the size of the blocks being pruned. Every
COMPACT_EVERY heights the emptied ranges are compacted in the background."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from .keys import NODE, STALE, u64

PRUNE_BLOCKS = 2  # lists pruned per block: one keeps pace, the second catches up a backlog


def encode_list(items: list[bytes]) -> bytes:
    """(u16 length || key) pairs."""
    return b"".join(len(x).to_bytes(2, "big") + x for x in items)


def decode_list(raw: bytes) -> Iterator[bytes]:
    off = 0
    while off < len(raw):
        n = int.from_bytes(raw[off : off + 2], "big")
        yield raw[off + 2 : off + 2 + n]
        off += 2 + n


def stale_list_key(height: int) -> bytes:
    return STALE + u64(height)


def prune(db: Any, wb: Any, cursor: int, limit: int) -> int:
    """Add to ``wb`` the deletes of the stale lists of heights ``cursor..limit`` (at most
    PRUNE_BLOCKS of them) and of the lists themselves; returns the next cursor. Entries
    that went stale at a height <= limit serve only heights below limit, the oldest kept."""
    it = db.iterator(start=stale_list_key(cursor), stop=stale_list_key(limit + 1))
    for n, (k, v) in enumerate(it):
        if n >= PRUNE_BLOCKS:
            break
        for ref in decode_list(v):
            wb.delete(ref)
        wb.delete(k)
        cursor = int.from_bytes(k[1:9], "big") + 1
    return cursor


COMPACT_EVERY = 100  # heights between compactions of the pruned ranges


class Compactor:
    """Compacts, on a background thread, the key ranges that pruning emptied: the tree pages
    (keyed by version first) and the stale lists below the kept window. Without it LevelDB
    keeps deleted pages on disk until its deepest levels fill up, and the disk use of a
    steady workload creeps upward for a long time. plyvel releases the GIL while LevelDB
    compacts, so commits go on meanwhile."""

    def __init__(self, dbs: dict[str, Any]) -> None:
        self.dbs = dbs
        self.done_to = 0  # heights below this are compacted
        self._thread: threading.Thread | None = None

    def after_commit(self, height: int, limit: int) -> None:
        """``limit``: the oldest kept height; everything stale below it is pruned."""
        if height % COMPACT_EVERY or limit <= self.done_to:
            return
        if self._thread is not None and self._thread.is_alive():
            return
        lo, self.done_to = self.done_to, limit
        self._thread = threading.Thread(
            target=self._run, args=(lo, limit), name="state-compact", daemon=True
        )
        self._thread.start()

    def _run(self, lo: int, hi: int) -> None:
        for db in self.dbs.values():
            for prefix in (NODE, STALE):
                db.compact_range(start=prefix + u64(lo), stop=prefix + u64(hi))

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

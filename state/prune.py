"""Pruning: each block lists, per shard, the entries it made stale; once a block falls out
of the kept window its list is replayed as deletes. At most PRUNE_BLOCKS lists per block,
so the work per block is bounded by the size of the blocks being pruned."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .keys import STALE, u64

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

"""One height back: the store's state at height h - 1 again, as if block h had never been
committed (an operator's recovery from a wrong app hash after a bad upgrade, together with
CometBFT's own rollback).

What block h changed is in the write-ahead record, which holds the last committed block's
change set; so exactly one height can be undone. Per shard, in one synced batch: the value
versions written at h are deleted and each changed key's latest entry (and path index) is
put back to the version before; the tree pages and the root record of version h go (the
pages h replaced are still kept: their stale list, deleted too, is pruned only once h
leaves the window); the shard's height becomes h - 1. The record is cleared last, so a
crash in between leaves shards the next open rolls forward to h again (and the rollback
can be repeated). History pruned while committing h stays pruned: the earliest kept height
moves up by one instead.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from hashlib import sha256
from pathlib import Path
from typing import Any

from .errors import StoreError
from .keys import HIST, LATEST, MAXV, META_FIRST, META_HEIGHT, NODE, PATHS, esc, inv, root_key, u64
from .prune import stale_list_key
from .store import Store


def rollback(path: Path | str, *, shards: Sequence[str], **options: Any) -> tuple[int, bytes]:
    """Take the store at ``path`` from its height h back to h - 1; returns (h - 1, the app
    hash at h - 1). ``options`` are ``Store.open``'s. StoreError says why it cannot."""
    options.pop("snapshot_interval", None)  # no snapshot may start while rolling back
    store = Store.open(path, shards=shards, **options)
    try:
        h = store.height
        rec = store.wal.read()
        if h < 2:
            raise StoreError(f"the store is at height {h}: there is no earlier height to go "
                             "back to")
        if rec is None or rec.height != h or rec.prev != h - 1:
            raise StoreError(f"the store is at height {h} but holds no record of the changes "
                             f"of block {h} (only one height can be rolled back)")
        if not store.archive and store.keep_recent < 2:
            raise StoreError("keep_recent is 1: the state at the height before was pruned "
                             "when the last block was committed")
        first = max(h - store.keep_recent + 1, 1) if not store.archive else 0
        for shard in store.shards:
            _undo(store.dbs[shard], rec.changes.get(shard, []), h, first)
        store.wal.clear()  # no block to finish: an open must not roll forward to h
    finally:
        store.close()
    snapshots = Path(path) / "snapshots"
    if snapshots.is_dir():  # a snapshot of height h describes a state that no longer is
        for p in snapshots.iterdir():
            if p.name.isdigit() and int(p.name) >= h:
                shutil.rmtree(p, ignore_errors=True)
    store = Store.open(path, shards=shards, **options)
    try:
        if store.height != h - 1:
            raise StoreError(f"after the rollback the store is at {store.height}, not {h - 1}")
        return store.height, store.app_hash
    finally:
        store.close()


def _undo(db: Any, changes: list[tuple[bytes, bytes | None]], h: int, first: int) -> None:
    wb = db.write_batch(sync=True)
    invh = inv(h)
    for key, _ in changes:
        hist = HIST + esc(key)
        wb.delete(hist + invh)
        path = sha256(key).digest()
        before = next(db.iterator(start=hist + inv(h - 1)), None)  # esc(): prefix-free
        if before is not None and before[0].startswith(hist) and before[1][:1] == b"\x01":
            version = MAXV - int.from_bytes(before[0][-8:], "big")
            wb.put(LATEST + key, u64(version) + before[1][1:])
            wb.put(PATHS + path, key)
        else:
            wb.delete(LATEST + key)
            wb.delete(PATHS + path)
    for k in db.iterator(prefix=NODE + u64(h), include_value=False):
        wb.delete(k)
    wb.delete(root_key(h))
    wb.delete(stale_list_key(h))
    wb.put(META_HEIGHT, u64(h - 1))
    raw = db.get(META_FIRST)
    if first and raw is not None and int.from_bytes(raw, "big") < first:
        wb.put(META_FIRST, u64(first))  # what committing h pruned serves no height now
    wb.write()

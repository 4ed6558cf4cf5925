"""The sharded, authenticated store: open / recover, reads at kept heights, atomic commit,
proofs. Each shard is its own LevelDB and its own sparse Merkle tree; the shard names are
given by the application (``Store.open(path, shards=...)``) and recorded at creation.

This is the one module that puts the concrete pieces together; the overlay and snapshot
export see the store only through the protocols in ``abc``.

Commit protocol (README "Commit protocol"): write the block's change set to the
write-ahead record and fsync it; then, shard by shard in list order, one synced
WriteBatch with the values, history, tree pages, root record, stale index, pruning and
the shard's height; then mark the record done. Opening replays the record into every
shard still at the previous height, so all shards are always at one height.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from hashlib import sha256
from pathlib import Path
from typing import Any

from .abc import Item, ShardView
from .backend import ShardDB
from .cache import PageCache
from .errors import HeightError, StoreError
from .export import SnapshotManager, export_snapshot
from .hashing import app_hash_of, key_path
from .keys import (
    HIST,
    LATEST,
    META_FIRST,
    META_HEIGHT,
    PATHS,
    ROOT,
    esc,
    hist_key,
    inv,
    prefix_end,
    root_key,
    u64,
    unesc,
)
from .overlay import Overlay, check_generation, check_key
from .page import EMPTY_REF, Ref
from .proof import ProofOp, proof_ops
from .prune import Compactor, encode_list, prune, stale_list_key
from .shards import settle_list, validate_shards
from .snapformat import SnapshotInfo
from .tree import TreeUpdate, apply_updates, prove_path
from .treedb import PageSource, decode_root, encode_root
from .wal import Faults, WriteAheadLog

_MAXV = (1 << 64) - 1
_INVERT = bytes(range(255, -1, -1))


class Store:
    def __init__(
        self, path: Path, shards: tuple[str, ...], keep_recent: int, archive: bool,
        cache_mb: int,
    ) -> None:
        self.path = path
        self.shards = shards
        self.keep_recent = keep_recent
        self.archive = archive
        self.faults = Faults()
        total = cache_mb << 20
        # LevelDB block caches get an eighth; decoded tree pages the rest.
        self.cache = PageCache(total - total // 8)
        self.dbs: dict[str, ShardDB] = {}
        self._lock = threading.RLock()
        self._height = 0
        self._first = 0
        self._gen = 0
        self._roots: dict[str, Ref] = {}
        self._counts: dict[str, int] = {}
        self._rootver: dict[str, int] = {}
        self._prune_from: dict[str, int] = {}
        self._app_hash = b""
        self.snapshots: SnapshotManager | None = None
        try:
            for shard in shards:
                self.dbs[shard] = ShardDB(path / shard, total // 8 // len(shards))
            self.readers = {
                s: PageSource(self.dbs[s].get, self.cache, bytes((i,)))
                for i, s in enumerate(shards)
            }
            self.wal = WriteAheadLog(path / "commit.wal", shards, self.faults)
            self.compactor = Compactor({s: db.db for s, db in self.dbs.items()})
        except BaseException:
            for db in self.dbs.values():
                db.close()
            raise

    @classmethod
    def open(
        cls, path: Path | str, *, shards: Sequence[str], keep_recent: int = 3_888_000,
        archive: bool = False, cache_mb: int = 256, snapshot_interval: int = 0,
        snapshot_keep_recent: int = 2,
    ) -> Store:
        """Open (or create) the store at ``path`` with the application's ``shards``: the
        list it was created with, in the same order (it is recorded at creation)."""
        names = validate_shards(shards)
        for name, v, lo in (("keep_recent", keep_recent, 1), ("cache_mb", cache_mb, 1),
                            ("snapshot_interval", snapshot_interval, 0),
                            ("snapshot_keep_recent", snapshot_keep_recent, 1)):
            if type(v) is not int or v < lo:
                raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        settle_list(path, names)  # before any shard database is created
        store = cls(path, names, keep_recent, archive, cache_mb)
        try:
            for shard in names:
                store._load_shard(shard)
            store._recover()
            heights = {store._shard_height(s) for s in names}
            if len(heights) != 1:
                raise StoreError(f"shards are at different heights {sorted(heights)}")
            store._height = heights.pop()
            raw = store.dbs[names[0]].get(META_FIRST)
            store._first = int.from_bytes(raw, "big") if raw else 0
            store._app_hash = app_hash_of(store.shard_roots().items())
            if snapshot_interval:
                store.snapshots = SnapshotManager(store, snapshot_interval, snapshot_keep_recent)
        except BaseException:
            store.close()
            raise
        return store

    # -- opening ----------------------------------------------------------------------------
    def _shard_height(self, shard: str) -> int:
        raw = self.dbs[shard].get(META_HEIGHT)
        return int.from_bytes(raw, "big") if raw else 0

    def _load_shard(self, shard: str) -> None:
        db = self.dbs[shard]
        self._roots[shard], self._counts[shard], self._rootver[shard] = EMPTY_REF, 0, 0
        for k, v in db.iterator(prefix=ROOT):
            self._roots[shard], self._counts[shard] = decode_root(v)
            self._rootver[shard] = _MAXV - int.from_bytes(k[1:9], "big")
            break
        self._prune_from[shard] = 0

    def _recover(self) -> None:
        """Finish the block in the write-ahead record in every shard that lacks it."""
        rec = self.wal.read()
        if rec is None:
            return
        for shard in self.shards:
            h = self._shard_height(shard)
            if h == rec.height:
                continue
            if h != rec.prev:
                raise StoreError(
                    f"shard {shard} is at height {h}, but the write-ahead record moves "
                    f"height {rec.prev} to {rec.height}: the store is damaged"
                )
            items = self._items(rec.changes.get(shard, []))
            self._apply_shard(shard, items, rec.height, rec.prev, None)
        self.wal.mark_done()

    @staticmethod
    def _items(changes: list[tuple[bytes, bytes | None]]) -> list[Item]:
        items: list[Item] = [
            (sha256(k).digest(), None if v is None else sha256(v).digest(), k, v)
            for k, v in changes
        ]
        items.sort()
        return items

    # -- state ------------------------------------------------------------------------------
    @property
    def height(self) -> int:
        return self._height

    @property
    def app_hash(self) -> bytes:
        return self._app_hash

    @property
    def earliest_height(self) -> int:
        """The lowest height that reads and proofs can still use (0 when empty)."""
        if self._height == 0:
            return 0
        if self.archive:
            return self._first
        return max(self._first, self._height - self.keep_recent + 1)

    def shard_roots(self) -> dict[str, bytes]:
        return {s: self._roots[s][1] for s in self.shards}

    def key_count(self, shard: str) -> int:
        return self._counts[self._check_shard(shard)]

    @property
    def generation(self) -> int:
        """Bumped by every commit: an overlay made before it is stale."""
        return self._gen

    def next_version(self) -> int:
        return self._height + 1 if self._height else 1

    def _check_shard(self, shard: str) -> str:
        if shard not in self.dbs:
            raise ValueError(f"unknown shard {shard!r}; shards are {', '.join(self.shards)}")
        return shard

    def _check_height(self, height: int) -> int:
        if type(height) is not int:
            raise TypeError("height must be an int")
        if not self.earliest_height <= height <= self._height or height == 0:
            raise HeightError(
                f"height {height} is not kept: heights {self.earliest_height}..{self._height}"
            )
        return height

    # -- reads ------------------------------------------------------------------------------
    def get(self, shard: str, key: bytes, height: int | None = None) -> bytes | None:
        """The committed value of ``key`` (latest, or at a kept ``height``), None if absent."""
        try:
            db = self.dbs[shard]
        except (KeyError, TypeError):
            raise ValueError(f"unknown shard {shard!r}") from None
        if height is None or height == self._height:
            if type(key) is not bytes:
                check_key(key)
            v = db.get(LATEST + key)
            return v[8:] if v is not None else None
        check_key(key)
        self._check_height(height)
        return self._get_at(db, key, height)

    def latest_raw(self, shard: str, key: bytes) -> bytes | None:
        """The latest ``L`` entry (u64 version || value) of ``key``, or None."""
        if type(key) is not bytes:
            check_key(key)
        return self.dbs[shard].get(LATEST + key)

    @staticmethod
    def _get_at(db: Any, key: bytes, height: int) -> bytes | None:
        base = HIST + esc(key)
        for _, v in db.iterator(start=hist_key(key, height), stop=base + b"\xff" * 9):
            return v[1:] if v[0] else None
        return None

    def iterate(
        self, shard: str, prefix: bytes = b"", *, start: bytes | None = None,
        height: int | None = None,
    ) -> Iterator[tuple[bytes, bytes]]:
        """Committed (key, value) pairs with ``prefix``, from ``start`` on, ascending."""
        db = self.dbs[self._check_shard(shard)]
        check_key(prefix)
        if start is not None:
            check_key(start)
        lo = prefix if start is None or start < prefix else start
        if height is None or height == self._height:
            end = prefix_end(LATEST + prefix)
            it = db.iterator(start=LATEST + lo, stop=end) if end else db.iterator(start=LATEST + lo)
            for k, v in it:
                yield k[1:], v[8:]
            return
        self._check_height(height)
        yield from self._iterate_at(db, prefix, lo, height)

    @staticmethod
    def _iterate_at(
        db: Any, prefix: bytes, lo: bytes, height: int
    ) -> Iterator[tuple[bytes, bytes]]:
        first = HIST + esc(lo)[:-2]
        end = prefix_end(HIST + esc(prefix)[:-2])
        it = db.iterator(start=first, stop=end) if end else db.iterator(start=first)
        done_key = None
        for k, v in it:
            ekey = k[1:-8]
            if ekey == done_key:
                continue
            if _MAXV - int.from_bytes(k[-8:], "big") > height:
                continue
            done_key = ekey
            if v[0]:
                yield unesc(ekey), v[1:]

    def root_at(self, shard: str, height: int) -> Ref:
        if height == self._height:
            return self._roots[shard]
        for _, v in self.dbs[shard].iterator(start=root_key(height), stop=ROOT + b"\xff" * 9):
            return decode_root(v)[0]
        return EMPTY_REF

    def prove(
        self, shard: str, key: bytes, height: int | None = None
    ) -> tuple[bytes | None, list[ProofOp]]:
        """The value at ``height`` (default latest) and the two proof ops showing it (or its
        absence) under that height's app hash. Plain values: the ABCI layer makes protobuf."""
        self._check_shard(shard)
        check_key(key)
        with self._lock:
            h = self._check_height(self._height if height is None else height)
            roots = {s: self.root_at(s, h) for s in self.shards}
            value = self.get(shard, key, h)
            sibs, term = prove_path(self.readers[shard], roots[shard], key_path(key))
        return value, proof_ops(shard, key, sibs, term, ((s, r[1]) for s, r in roots.items()))

    # -- writes -----------------------------------------------------------------------------
    def overlay(self) -> Overlay:
        return Overlay(self, self._gen)

    def check_overlay(self, overlay: Overlay) -> None:
        check_generation(self, overlay.generation)

    def tree_update(self, shard: str, items: list[Item], version: int) -> TreeUpdate:
        return apply_updates(self.readers[shard], self._roots[shard], items, version)

    def commit(self, overlay: Overlay, height: int) -> bytes:
        """Make the overlay's writes durable as block ``height``, atomically across shards;
        returns the new app hash."""
        if type(height) is not int:
            raise TypeError("height must be an int")
        with self._lock:
            self.check_overlay(overlay)
            if self._height == 0:
                if height < 1:
                    raise HeightError(f"the first height must be >= 1, got {height}")
            elif height != self._height + 1:
                raise HeightError(f"next height is {self._height + 1}, got {height}")
            plans = overlay.plan(height)
            prev = self._height
            self.wal.write(height, prev, {s: p[0] for s, p in plans.items()})
            for shard in self.shards:
                items, upd = plans.get(shard, ([], None))
                self._apply_shard(shard, items, height, prev, upd, overlay.read_versions[shard])
                self.faults.hit("shard_" + shard, height)
            self.faults.hit("applied", height)
            self.wal.mark_done()
            self.faults.hit("done", height)
            self._height = height
            if prev == 0:
                self._first = height
            self._gen += 1
            self._app_hash = app_hash_of(self.shard_roots().items())
        if not self.archive:
            self.compactor.after_commit(height, height - self.keep_recent + 1)
        if self.snapshots is not None:
            self.snapshots.after_commit(height)
        return self._app_hash

    def _apply_shard(
        self, shard: str, items: list[Item], height: int, prev: int, upd: TreeUpdate | None,
        known: dict[bytes, bytes] | None = None,
    ) -> None:
        """One synced batch taking ``shard`` from ``prev`` to ``height``. ``known``: the
        committed versions the overlay already read (b"" = absent)."""
        if known is None:
            known = {}
        db = self.dbs[shard]
        wb = db.write_batch(sync=True)
        put = wb.put
        delete = wb.delete
        keep_history = not self.archive
        if items:
            if upd is None:
                upd = self.tree_update(shard, items, height)
            inserted = set(upd.inserted)
            deleted = set(upd.deleted)
            mark = u64(height)
            get = db.get
            stale: list[bytes] = []  # entries that serve only heights below this one
            invh = inv(height)
            for path, _, key, value in items:
                if value is None and path not in deleted:
                    continue  # deleting an absent key changes nothing
                lkey = LATEST + key
                ekey = HIST + esc(key)
                if not keep_history:
                    old = None
                else:
                    old = known.get(key)
                    if old is None:  # not read in the overlay: look the version up
                        old = get(lkey)
                    elif not old:  # read and found absent
                        old = None
                if value is None:
                    delete(lkey)
                    delete(PATHS + path)
                    put(ekey + invh, b"\x00")
                    if keep_history:  # the deletion mark goes with the version before it
                        stale.append(ekey + invh)
                else:
                    put(lkey, mark + value)
                    put(ekey + invh, b"\x01" + value)
                    if path in inserted:
                        put(PATHS + path, key)
                if old is not None:
                    stale.append(ekey + old[:8].translate(_INVERT))
            for nk, page in upd.pages.items():
                put(nk, page.encode())
            if keep_history:
                stale += upd.stale
                if self._rootver[shard]:
                    stale.append(root_key(self._rootver[shard]))
                put(stale_list_key(height), encode_list(stale))
            count = self._counts[shard] + len(upd.inserted) - len(upd.deleted)
            put(root_key(height), encode_root(upd.root, count))
        put(META_HEIGHT, u64(height))
        if prev == 0:
            put(META_FIRST, u64(height))
        if keep_history:
            self._prune(shard, wb, height)
        wb.write()
        if items and upd is not None:
            self._roots[shard] = upd.root
            self._counts[shard] = count
            self._rootver[shard] = height
            self.cache.replace(
                self.readers[shard].tag, upd.stale,
                {nk: page.frozen() for nk, page in upd.pages.items()},
            )

    # -- pruning ----------------------------------------------------------------------------
    def _prune(self, shard: str, wb: Any, height: int) -> None:
        limit = height - self.keep_recent + 1  # the oldest height kept after this block
        if limit > 1:
            self._prune_from[shard] = prune(self.dbs[shard], wb, self._prune_from[shard], limit)

    # -- snapshots --------------------------------------------------------------------------
    def export_views(self) -> dict[str, ShardView]:
        """Per shard: a LevelDB snapshot view of the committed state, its root and key count
        (the caller closes the views)."""
        with self._lock:
            return {
                s: (self.dbs[s].snapshot(), self._roots[s], self._counts[s]) for s in self.shards
            }

    def export_snapshot(self, out: Path | str) -> SnapshotInfo:
        """Export the latest committed state to ``out`` now, on this thread."""
        views = self.export_views()
        try:
            return export_snapshot(self._height, views, self.shards, Path(out))
        finally:
            for view, _, _ in views.values():
                view.close()

    def compact(self) -> None:
        """Run LevelDB's compaction over every shard now (slow; for tools and benchmarks)."""
        for db in self.dbs.values():
            db.db.compact_range()

    def disk_bytes(self) -> int:
        return sum(db.size_bytes() for db in self.dbs.values())

    def close(self) -> None:
        if self.snapshots is not None:
            self.snapshots.close()
            self.snapshots = None
        compactor = getattr(self, "compactor", None)
        if compactor is not None:
            compactor.wait()
        for db in self.dbs.values():
            db.close()
        wal = getattr(self, "wal", None)
        if wal is not None:
            wal.close()

"""Snapshots for CometBFT state sync: what the ABCI snapshot handlers use.

``Restore`` rebuilds a store chunk by chunk, checking each chunk on arrival: the manifest
against the shard roots in the offer's metadata (which must give the trusted app hash),
every data chunk by rebuilding its subtrees and comparing with the manifest. The format is
in ``snapformat``; export and the ``SnapshotManager`` in ``export`` (re-exported here).
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any

from .backend import ShardDB
from .export import SnapshotManager, export_snapshot
from .hashing import app_hash_of
from .keys import LATEST, META_FIRST, META_HEIGHT, PATHS, hist_key, root_key, u64
from .page import K_EMPTY, K_LEAF, Ref
from .shards import validate_shards, write_list
from .snapformat import (
    FORMAT,
    ShardPlan,
    SnapshotError,
    SnapshotInfo,
    fold_cut,
    parse_chunk,
    parse_manifest,
)
from .store import Store
from .tree import build_from_cut, build_tree, index_of
from .treedb import encode_root

__all__ = [
    "FORMAT", "Restore", "SnapshotError", "SnapshotInfo", "SnapshotManager", "Verdict",
    "export_snapshot",
]


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""


class Restore:
    """Rebuilds a store from a snapshot, chunk by chunk. ``path`` is the state directory; it
    must hold no committed state and no open Store. Use: offer(), apply_chunk() for
    0..chunks-1 (chunk 0 first), then finish() -> the opened Store."""

    def __init__(self, path: Path | str, *, shards: Sequence[str],
                 **store_options: Any) -> None:
        self.path = Path(path)
        self.shards = validate_shards(shards)
        self.options = store_options
        self.info: SnapshotInfo | None = None
        self.plans: list[ShardPlan] | None = None
        self.owner: dict[int, int] = {}  # data chunk index -> the shard it holds
        self.applied: set[int] = set()
        self.cuts: list[list[tuple[int, Ref]]] = []
        self.work = self.path.with_name(self.path.name + ".restore")
        self.dbs: dict[str, ShardDB] = {}

    def offer(self, height: int, format: int, chunks: int, hash: bytes, metadata: bytes,
              app_hash: bytes) -> Verdict:
        if format != FORMAT:
            return Verdict(False, f"unsupported snapshot format {format}")
        if height < 1 or chunks < 1:
            return Verdict(False, "snapshot has no height or no chunks")
        n = len(self.shards)
        if len(metadata) != 32 * n:
            return Verdict(False, "snapshot metadata is not the shard roots")
        roots = [(s, metadata[32 * i : 32 * i + 32]) for i, s in enumerate(self.shards)]
        if app_hash_of(roots) != app_hash:
            return Verdict(False, "snapshot shard roots do not match the trusted app hash")
        self._close_dbs()
        shutil.rmtree(self.work, ignore_errors=True)
        self.dbs = {s: ShardDB(self.work / s, 8 << 20) for s in self.shards}
        self.info = SnapshotInfo(height, format, chunks, bytes(hash), bytes(metadata))
        self.plans = None
        self.applied = set()
        self.cuts = [[] for _ in self.shards]
        return Verdict(True)

    def apply_chunk(self, index: int, data: bytes) -> Verdict:
        info = self.info
        if info is None:
            return Verdict(False, "no snapshot was offered")
        if not 0 <= index < info.chunks:
            return Verdict(False, f"chunk index {index} out of range")
        if index in self.applied:
            return Verdict(True)
        try:
            if index == 0:
                self._apply_manifest(data)
            elif self.plans is None:
                return Verdict(False, "the manifest (chunk 0) must be applied first")
            else:
                self._apply_data(index, data)
        except (SnapshotError, struct.error, IndexError, ValueError) as exc:
            return Verdict(False, f"chunk {index} rejected: {exc}")
        self.applied.add(index)
        return Verdict(True)

    @property
    def complete(self) -> bool:
        return self.info is not None and len(self.applied) == self.info.chunks

    def _apply_manifest(self, data: bytes) -> None:
        info = self.info
        assert info is not None
        if sha256(data).digest() != info.hash:
            raise SnapshotError("manifest does not match the snapshot hash")
        height, chunks, plans = parse_manifest(data, self.shards)
        if height != info.height or chunks != info.chunks:
            raise SnapshotError("manifest height or chunk count differs from the offer")
        for i, plan in enumerate(plans):
            if plan.root != info.metadata[32 * i : 32 * i + 32]:
                raise SnapshotError(f"manifest root of shard {self.shards[i]} differs")
            idxs = [e[0] for e in plan.entries]
            if idxs != sorted(set(idxs)) or any(i >= 1 << plan.k for i in idxs):
                raise SnapshotError("manifest subtree indexes are not strictly ascending")
            if any(not 1 <= e[3] < chunks for e in plan.entries):
                raise SnapshotError("manifest names a chunk out of range")
            if fold_cut([(e[0], e[1], e[2]) for e in plan.entries], plan.k) != plan.root:
                raise SnapshotError(f"manifest subtrees of {self.shards[i]} miss its root")
        # Each data chunk holds subtrees of exactly one shard, as the (verified) manifest says:
        # a chunk may not name another shard, and no chunk may be left with nothing to check.
        owner: dict[int, int] = {}
        for si, plan in enumerate(plans):
            for e in plan.entries:
                if owner.setdefault(e[3], si) != si:
                    raise SnapshotError(f"manifest puts two shards in chunk {e[3]}")
        if sorted(owner) != list(range(1, chunks)):
            raise SnapshotError("manifest leaves a data chunk without subtrees")
        self.owner = owner
        self.plans = plans

    def _apply_data(self, index: int, data: bytes) -> None:
        assert self.plans is not None and self.info is not None
        si, subtrees = parse_chunk(data)
        if si != self.owner[index]:
            raise SnapshotError(f"chunk {index} holds shard {self.shards[self.owner[index]]}, "
                                f"it names shard number {si}")
        plan = self.plans[si]
        want = [e for e in plan.entries if e[3] == index]
        version = self.info.height
        batch: list[tuple[bytes, bytes]] = []
        refs: list[tuple[int, Ref]] = []
        got = 0
        for idx, pairs in subtrees:
            if got >= len(want) or want[got][0] != idx:
                raise SnapshotError(f"unexpected subtree {idx}")
            recs = []
            for key, value in pairs:
                path = sha256(key).digest()
                if index_of(path, plan.k) != idx:
                    raise SnapshotError("a key lies outside its subtree")
                recs.append((path + sha256(value).digest(), key, value))
            recs.sort()
            if any(recs[i][0][:32] == recs[i + 1][0][:32] for i in range(len(recs) - 1)):
                raise SnapshotError("a key appears twice")
            upd = build_tree([r[0] for r in recs], version, plan.k)
            kind = K_LEAF if upd.root[0] == K_LEAF else 2
            if upd.root[0] == K_EMPTY or (kind, upd.root[1]) != (want[got][1], want[got][2]):
                raise SnapshotError(f"subtree {idx} does not hash to the manifest")
            for rec, key, value in recs:
                batch += [(LATEST + key, u64(version) + value),
                          (hist_key(key, version), b"\x01" + value), (PATHS + rec[:32], key)]
            batch += [(nk, page.encode()) for nk, page in upd.pages.items()]
            refs.append((idx, upd.root))
            got += 1
        if got != len(want):
            raise SnapshotError("chunk is missing subtrees")
        db = self.dbs[self.shards[si]]
        wb = db.write_batch(sync=False)
        for k, v in batch:
            wb.put(k, v)
        wb.write()
        self.cuts[si] += refs

    def finish(self) -> Store:
        """Build the top of each tree, check the roots and open the restored store."""
        if not self.complete or self.plans is None or self.info is None:
            raise SnapshotError("not every chunk has been applied")
        h = self.info.height
        for si, shard in enumerate(self.shards):
            plan = self.plans[si]
            upd = build_from_cut(sorted(self.cuts[si], key=lambda c: c[0]), plan.k, h)
            if upd.root[1] != plan.root:
                raise SnapshotError(f"restored shard {shard} has the wrong root")
            wb = self.dbs[shard].write_batch(sync=True)
            for nk, page in upd.pages.items():
                wb.put(nk, page.encode())
            if upd.root[0] != K_EMPTY or plan.count:
                wb.put(root_key(h), encode_root(upd.root, plan.count))
            wb.put(META_HEIGHT, u64(h))
            wb.put(META_FIRST, u64(h))
            wb.write()
        self._close_dbs()
        write_list(self.work, self.shards)
        probe = Store.open(self.path, shards=self.shards, **self.options)
        try:
            if probe.height != 0:
                raise SnapshotError("the target store already holds committed state")
        finally:
            probe.close()
        shutil.rmtree(self.path)
        self.work.rename(self.path)
        store = Store.open(self.path, shards=self.shards, **self.options)
        expect = app_hash_of(
            (s, self.info.metadata[32 * i : 32 * i + 32]) for i, s in enumerate(self.shards)
        )
        if store.app_hash != expect:
            store.close()
            raise SnapshotError("restored store has the wrong app hash")
        return store

    def _close_dbs(self) -> None:
        for db in self.dbs.values():
            db.close()
        self.dbs = {}

    def abort(self) -> None:
        self._close_dbs()
        shutil.rmtree(self.work, ignore_errors=True)
        self.info = None



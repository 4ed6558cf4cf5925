"""Snapshots for CometBFT state sync: deterministic export, chunk-by-chunk verified import.

Format 1 (README "Snapshots"). Each shard's tree is cut at a depth k (a multiple of 4
chosen from its key count); the depth-k subtrees are the unit of export and of checking.

    chunk 0, the manifest: "FSM1" | height u64 | chunks u32 | per shard in SHARDS order:
        root 32 | keys u64 | k u8 | n u32 | n x (index u32 | kind u8 | hash 32 | chunk u32)
      (the non-empty depth-k subtrees in index order; kind 1 = one leaf, 2 = more)
    chunk i >= 1: "FSC1" | shard u8 | then subtrees: index u32 | n u32 |
        n x (key length u32 | key | value length u32 | value), keys in path (H(key)) order
    snapshot hash = sha256(manifest); metadata = the five shard roots (SHARDS order)

A chunk never spans shards and is at most CHUNK_MAX bytes. The manifest is checked against
the roots in the metadata (which must give the trusted app hash); every data chunk is checked
on arrival by rebuilding its subtrees and comparing with the manifest.
"""

from __future__ import annotations

import json
import shutil
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import StoreError
from .hashing import EMPTY, app_hash_of, inner_hash
from .keys import LATEST, META_FIRST, META_HEIGHT, PATHS, hist_key, root_key, u64
from .page import K_EMPTY, K_LEAF, Ref
from .tree import build_from_cut, build_tree, index_of, iter_cut, iter_leaves

if TYPE_CHECKING:
    from .store import PageSource, Store

FORMAT = 1
CHUNK_MAX = 10 << 20
TARGET_LEAVES = 4096  # the cut depth aims at about this many keys per subtree
MAX_CUT = 16
_M_MAGIC = b"FSM1"
_C_MAGIC = b"FSC1"
_U32 = struct.Struct(">I")
_ENTRY = struct.Struct(">IB32sI")


class SnapshotError(StoreError):
    """A snapshot that cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class SnapshotInfo:
    height: int
    format: int
    chunks: int
    hash: bytes
    metadata: bytes


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""


def cut_depth(count: int) -> int:
    k = 0
    while (count >> k) > TARGET_LEAVES and k < MAX_CUT:
        k += 4
    return k


def fold_cut(entries: list[tuple[int, int, bytes]], k: int) -> bytes:
    """The root of a tree from its non-empty depth-k subtrees (index, kind 1|2, hash)."""
    level = {idx: (kind, h) for idx, kind, h in entries}
    none = (K_EMPTY, EMPTY)
    for _ in range(k):
        up: dict[int, tuple[int, bytes]] = {}
        for idx in sorted(level):
            parent = idx >> 1
            if parent in up:
                continue
            kl, hl = level.get(parent << 1, none)
            kr, hr = level.get((parent << 1) | 1, none)
            if kr == K_EMPTY and kl <= K_LEAF:
                up[parent] = (kl, hl)
            elif kl == K_EMPTY and kr == K_LEAF:
                up[parent] = (kr, hr)
            else:
                up[parent] = (2, inner_hash(hl, hr))
        level = up
    return level.get(0, none)[1]


# -- export ---------------------------------------------------------------------------------
class _TooBig(Exception):
    pass


def _view_reader(view: Any) -> PageSource:
    """Pages from a LevelDB snapshot view, uncached (export runs beside commits)."""
    from .store import PageSource

    return PageSource(view.get, None)


def _subtree_blob(
    view: Any, reader: PageSource, idx: int, ref: Ref, k: int, prefix: bytes
) -> bytes:
    parts: list[bytes] = []
    n = 0
    pack = _U32.pack
    for rec in iter_leaves(reader, ref, k, prefix):
        key = view.get(PATHS + rec[:32])
        raw = view.get(LATEST + key) if key is not None else None
        if raw is None:
            raise SnapshotError("state is inconsistent: a tree leaf has no key or value")
        value = raw[8:]
        parts += (pack(len(key)), key, pack(len(value)), value)
        n += 1
    return pack(idx) + pack(n) + b"".join(parts)


def export_snapshot(
    height: int, views: dict[str, tuple[Any, Ref, int]], shards: tuple[str, ...], out: Path
) -> SnapshotInfo:
    """Write the snapshot of ``views`` (per shard: LevelDB snapshot, root, key count) to
    ``out`` (chunk files 0..n-1 and ``info.json``). The bytes depend only on the state."""
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    chunk_no = 1
    manifest = [_M_MAGIC, u64(height), b""]
    for si, shard in enumerate(shards):
        view, root, count = views[shard]
        k = cut_depth(count)
        while True:
            try:
                entries, chunk_files = _export_shard(view, root, k, si, chunk_no, tmp)
                break
            except _TooBig:
                if k >= MAX_CUT:
                    raise SnapshotError(
                        f"shard {shard}: a depth-{k} subtree exceeds {CHUNK_MAX} bytes"
                    ) from None
                k += 4
        chunk_no += chunk_files
        manifest += [root[1], u64(count), bytes((k,)), _U32.pack(len(entries))]
        manifest += [_ENTRY.pack(*e) for e in entries]
    manifest[2] = _U32.pack(chunk_no)
    body = b"".join(manifest)
    if len(body) > max(CHUNK_MAX, 10 << 20):  # ~250k subtrees: shards of billions of keys
        raise SnapshotError(f"snapshot manifest of {len(body)} bytes exceeds the chunk limit")
    (tmp / "0").write_bytes(body)
    metadata = b"".join(views[s][1][1] for s in shards)
    info = SnapshotInfo(height, FORMAT, chunk_no, sha256(body).digest(), metadata)
    (tmp / "info.json").write_text(json.dumps({
        "height": height, "format": FORMAT, "chunks": chunk_no,
        "hash": info.hash.hex(), "metadata": metadata.hex(),
    }))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return info


def _export_shard(
    view: Any, root: Ref, k: int, si: int, first_chunk: int, tmp: Path
) -> tuple[list[tuple[int, int, bytes, int]], int]:
    reader = _view_reader(view)
    entries: list[tuple[int, int, bytes, int]] = []
    head = _C_MAGIC + bytes((si,))
    buf: list[bytes] = []
    size = 0
    chunk = first_chunk
    for idx, ref, prefix in iter_cut(reader, root, k):
        blob = _subtree_blob(view, reader, idx, ref, k, prefix)
        if len(head) + len(blob) > CHUNK_MAX:
            for i in range(first_chunk, chunk + 1):
                (tmp / str(i)).unlink(missing_ok=True)
            raise _TooBig
        if buf and size + len(blob) > CHUNK_MAX:
            (tmp / str(chunk)).write_bytes(b"".join(buf))
            chunk += 1
            buf, size = [], 0
        if not buf:
            buf, size = [head], len(head)
        buf.append(blob)
        size += len(blob)
        entries.append((idx, K_LEAF if ref[0] == K_LEAF else 2, ref[1], chunk))
    if buf:
        (tmp / str(chunk)).write_bytes(b"".join(buf))
        chunk += 1
    return entries, chunk - first_chunk


class SnapshotManager:
    """Takes a snapshot every ``interval`` heights on a background thread and keeps the
    newest ``keep``. A snapshot due while the previous export still runs is skipped."""

    def __init__(self, store: Store, interval: int, keep: int) -> None:
        self.store = store
        self.interval = interval
        self.keep = keep
        self.dir = store.path / "snapshots"
        self.dir.mkdir(exist_ok=True)
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def after_commit(self, height: int) -> None:
        if height % self.interval or (self._thread is not None and self._thread.is_alive()):
            return
        views = self.store.export_views()
        self._thread = threading.Thread(
            target=self._run, args=(height, views), name=f"snapshot-{height}", daemon=True
        )
        self._thread.start()

    def _run(self, height: int, views: dict[str, tuple[Any, Ref, int]]) -> None:
        try:
            export_snapshot(height, views, self.store.shards, self.dir / str(height))
            self._prune()
        except BaseException as exc:  # surfaced through .error; a failed export costs no state
            self.error = exc
        finally:
            for view, _, _ in views.values():
                view.close()

    def _prune(self) -> None:
        done = sorted(int(p.name) for p in self.dir.iterdir() if p.name.isdigit())
        for h in done[: -self.keep]:
            shutil.rmtree(self.dir / str(h), ignore_errors=True)

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def close(self) -> None:
        self.wait()

    def list_snapshots(self) -> list[SnapshotInfo]:
        out = []
        for p in self.dir.iterdir():
            if not p.name.isdigit() or not (p / "info.json").exists():
                continue
            d = json.loads((p / "info.json").read_text())
            out.append(SnapshotInfo(d["height"], d["format"], d["chunks"],
                                    bytes.fromhex(d["hash"]), bytes.fromhex(d["metadata"])))
        return sorted(out, key=lambda s: s.height, reverse=True)

    def load_chunk(self, height: int, format: int, index: int) -> bytes | None:
        """The chunk's bytes, or None if this node has no such snapshot or chunk."""
        if format != FORMAT or index < 0:
            return None
        path = self.dir / str(height) / str(index)
        return path.read_bytes() if path.is_file() else None


# -- import ---------------------------------------------------------------------------------
@dataclass
class _ShardPlan:
    root: bytes
    count: int
    k: int
    entries: list[tuple[int, int, bytes, int]]


def _parse_manifest(data: bytes, shards: tuple[str, ...]) -> tuple[int, int, list[_ShardPlan]]:
    if data[:4] != _M_MAGIC or len(data) < 16:
        raise SnapshotError("not a format-1 snapshot manifest")
    height = int.from_bytes(data[4:12], "big")
    (chunks,) = _U32.unpack_from(data, 12)
    off = 16
    plans = []
    for _ in shards:
        if len(data) < off + 45:
            raise SnapshotError("truncated manifest")
        root = data[off : off + 32]
        count = int.from_bytes(data[off + 32 : off + 40], "big")
        k = data[off + 40]
        (n,) = _U32.unpack_from(data, off + 41)
        off += 45
        if k % 4 or k > MAX_CUT or len(data) < off + n * _ENTRY.size:
            raise SnapshotError("bad or truncated manifest shard section")
        entries = [_ENTRY.unpack_from(data, off + i * _ENTRY.size) for i in range(n)]
        off += n * _ENTRY.size
        plans.append(_ShardPlan(root, count, k, entries))
    if off != len(data):
        raise SnapshotError("manifest has trailing bytes")
    return height, chunks, plans


def _parse_chunk(data: bytes) -> tuple[int, Iterator[tuple[int, list[tuple[bytes, bytes]]]]]:
    if data[:4] != _C_MAGIC or len(data) < 5:
        raise SnapshotError("not a format-1 data chunk")

    def subtrees() -> Iterator[tuple[int, list[tuple[bytes, bytes]]]]:
        off = 5
        unpack = _U32.unpack_from
        while off < len(data):
            idx, n = struct.unpack_from(">II", data, off)
            off += 8
            pairs = []
            for _ in range(n):
                (kl,) = unpack(data, off)
                key = data[off + 4 : off + 4 + kl]
                off += 4 + kl
                (vl,) = unpack(data, off)
                value = data[off + 4 : off + 4 + vl]
                off += 4 + vl
                if len(value) != vl:
                    raise SnapshotError("truncated data chunk")
                pairs.append((key, value))
            yield idx, pairs

    return data[4], subtrees()


class Restore:
    """Rebuilds a store from a snapshot, chunk by chunk. ``path`` is the state directory; it
    must hold no committed state and no open Store. Use: offer(), apply_chunk() for
    0..chunks-1 (chunk 0 first), then finish() -> the opened Store."""

    def __init__(self, path: Path | str, shards: tuple[str, ...] | None = None,
                 **store_options: Any) -> None:
        from .store import SHARDS

        self.path = Path(path)
        self.shards = shards or SHARDS
        self.options = store_options
        self.info: SnapshotInfo | None = None
        self.plans: list[_ShardPlan] | None = None
        self.applied: set[int] = set()
        self.cuts: list[list[tuple[int, Ref]]] = []
        self.work = self.path.with_name(self.path.name + ".restore")
        self.dbs: dict[str, Any] = {}

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
        from .backend import ShardDB

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
        height, chunks, plans = _parse_manifest(data, self.shards)
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
        self.plans = plans

    def _apply_data(self, index: int, data: bytes) -> None:
        assert self.plans is not None and self.info is not None
        si, subtrees = _parse_chunk(data)
        if si >= len(self.shards):
            raise SnapshotError("chunk names an unknown shard")
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
        from .store import Store, encode_root

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
        probe = Store.open(self.path, **self.options)
        try:
            if probe.height != 0:
                raise SnapshotError("the target store already holds committed state")
        finally:
            probe.close()
        shutil.rmtree(self.path)
        self.work.rename(self.path)
        store = Store.open(self.path, **self.options)
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



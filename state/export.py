"""Snapshot export (format 1, see ``snapformat``) and the manager that takes snapshots
every ``interval`` heights on a background thread.

Export reads LevelDB snapshot views, never the live shards, so commits go on meanwhile.
The bytes depend only on the state: same writes, any order, any history, same snapshot.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Sequence
from hashlib import sha256
from pathlib import Path

from . import snapformat as fmt  # module attributes: tests shrink CHUNK_MAX
from .abc import DBView, ShardView, SnapshotSource
from .keys import LATEST, PATHS, u64
from .page import K_LEAF, Ref
from .snapformat import C_MAGIC, ENTRY, FORMAT, M_MAGIC, U32, Entry, SnapshotError, SnapshotInfo
from .tree import iter_cut, iter_leaves
from .treedb import PageSource


class _TooBig(Exception):
    pass


def _subtree_blob(
    view: DBView, reader: PageSource, idx: int, ref: Ref, k: int, prefix: bytes
) -> bytes:
    parts: list[bytes] = []
    n = 0
    pack = U32.pack
    for rec in iter_leaves(reader, ref, k, prefix):
        key = view.get(PATHS + rec[:32])
        raw = view.get(LATEST + key) if key is not None else None
        if key is None or raw is None:
            raise SnapshotError("state is inconsistent: a tree leaf has no key or value")
        value = raw[8:]
        parts += (pack(len(key)), key, pack(len(value)), value)
        n += 1
    return pack(idx) + pack(n) + b"".join(parts)


def export_snapshot(
    height: int, views: dict[str, ShardView], shards: Sequence[str], out: Path
) -> SnapshotInfo:
    """Write the snapshot of ``views`` (per shard: LevelDB snapshot, root, key count), the
    shards in ``shards`` order, to ``out`` (chunk files 0..n-1 and ``info.json``)."""
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    chunk_no = 1
    manifest = [M_MAGIC, u64(height), b""]
    for si, shard in enumerate(shards):
        view, root, count = views[shard]
        k = fmt.cut_depth(count)
        while True:
            try:
                entries, chunk_files = _export_shard(view, root, k, si, chunk_no, tmp)
                break
            except _TooBig:
                if k >= fmt.MAX_CUT:
                    raise SnapshotError(
                        f"shard {shard}: a depth-{k} subtree exceeds {fmt.CHUNK_MAX} bytes"
                    ) from None
                k += 4
        chunk_no += chunk_files
        manifest += [root[1], u64(count), bytes((k,)), U32.pack(len(entries))]
        manifest += [ENTRY.pack(*e) for e in entries]
    manifest[2] = U32.pack(chunk_no)
    body = b"".join(manifest)
    if len(body) > fmt.MANIFEST_MAX:
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
    view: DBView, root: Ref, k: int, si: int, first_chunk: int, tmp: Path
) -> tuple[list[Entry], int]:
    reader = PageSource(view.get, None)  # uncached: export runs beside commits
    entries: list[Entry] = []
    head = C_MAGIC + bytes((si,))
    buf: list[bytes] = []
    size = 0
    chunk = first_chunk
    limit = fmt.CHUNK_MAX
    for idx, ref, prefix in iter_cut(reader, root, k):
        blob = _subtree_blob(view, reader, idx, ref, k, prefix)
        if len(head) + len(blob) > limit:
            for i in range(first_chunk, chunk + 1):
                (tmp / str(i)).unlink(missing_ok=True)
            raise _TooBig
        if buf and size + len(blob) > limit:
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
    newest ``keep`` under ``<store>/snapshots/<height>/``. A snapshot due while the previous
    export still runs is skipped."""

    def __init__(self, store: SnapshotSource, interval: int, keep: int) -> None:
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

    def _run(self, height: int, views: dict[str, ShardView]) -> None:
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

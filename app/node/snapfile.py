"""A state-sync snapshot as one verified file (``fictra node snapshot export|import``).

    "FICTRA-SNAPSHOT-1\\n" | u32 header length | header JSON (chain_id, height, format,
    chunks, hash, metadata, app_hash) | per chunk 0..n-1: u32 length | bytes | sha256 of
    everything before it (32 bytes)

The chunks are the store's snapshot format (``state.snapformat``), exactly what the node
offers peers. Reading checks the trailing hash; ``verify`` then rebuilds the whole state
from the chunks in a scratch directory, each chunk against the manifest and the manifest
against the app hash the header's shard roots give, so a file that passes restores.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from app.modules import SHARDS
from state.errors import StoreError
from state.hashing import app_hash_of
from state.snapshot import Restore, SnapshotInfo

MAGIC = b"FICTRA-SNAPSHOT-1\n"
_U32 = struct.Struct(">I")
HEADER_MAX = 1 << 20
CHUNK_MAX = 16 << 20  # above the store's 10 MB chunks: a bigger length is a corrupt file


class SnapFileError(Exception):
    """A clear, one-line reason the file cannot be written or used."""


@dataclass(frozen=True)
class Header:
    chain_id: str
    height: int
    format: int
    chunks: int
    hash: bytes
    metadata: bytes
    app_hash: bytes

    def to_json(self) -> dict[str, Any]:
        return {"chain_id": self.chain_id, "height": self.height, "format": self.format,
                "chunks": self.chunks, "hash": self.hash.hex(),
                "metadata": self.metadata.hex(), "app_hash": self.app_hash.hex().upper()}

    @property
    def info(self) -> SnapshotInfo:
        return SnapshotInfo(self.height, self.format, self.chunks, self.hash, self.metadata)


def app_hash_of_metadata(metadata: bytes) -> bytes:
    """The app hash the snapshot's shard roots (in the store's shard order) give."""
    return app_hash_of((s, metadata[32 * i: 32 * i + 32]) for i, s in enumerate(SHARDS))


def chain_id_of(home: Path) -> str:
    path = Path(home) / "config" / "genesis.json"
    try:
        return str(json.loads(path.read_text())["chain_id"])
    except (OSError, ValueError, KeyError) as e:
        raise SnapFileError(f"no usable genesis in {path} ({e})") from None


def snapshot_dir_info(snap_dir: Path) -> SnapshotInfo:
    d = json.loads((snap_dir / "info.json").read_text())
    return SnapshotInfo(d["height"], d["format"], d["chunks"], bytes.fromhex(d["hash"]),
                        bytes.fromhex(d["metadata"]))


def write_file(out: Path, chain_id: str, info: SnapshotInfo, snap_dir: Path) -> Header:
    """Pack the snapshot directory ``snap_dir`` (chunk files ``0..n-1``) into ``out``."""
    header = Header(chain_id, info.height, info.format, info.chunks, info.hash, info.metadata,
                    app_hash_of_metadata(info.metadata))
    tmp = out.with_name(out.name + ".tmp")
    digest = hashlib.sha256()
    with tmp.open("wb") as f:
        def put(data: bytes) -> None:
            digest.update(data)
            f.write(data)

        head = json.dumps(header.to_json(), sort_keys=True).encode()
        put(MAGIC + _U32.pack(len(head)) + head)
        for i in range(info.chunks):
            chunk = (snap_dir / str(i)).read_bytes()
            put(_U32.pack(len(chunk)) + chunk)
        f.write(digest.digest())
    tmp.replace(out)
    return header


def _read_exact(f: BinaryIO, n: int, what: str) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise SnapFileError(f"the file ends inside {what}: truncated")
    return data


def read_header(path: Path) -> Header:
    with Path(path).open("rb") as f:
        return _header(f, hashlib.sha256())


def _header(f: BinaryIO, digest: Any) -> Header:
    magic = f.read(len(MAGIC))
    if magic != MAGIC:
        raise SnapFileError("not a FICTRA snapshot file (bad magic)")
    raw_len = _read_exact(f, 4, "the header")
    (n,) = _U32.unpack(raw_len)
    if n > HEADER_MAX:
        raise SnapFileError("header too large: corrupt file")
    raw = _read_exact(f, n, "the header")
    digest.update(magic + raw_len + raw)
    try:
        d = json.loads(raw)
        header = Header(str(d["chain_id"]), int(d["height"]), int(d["format"]),
                        int(d["chunks"]), bytes.fromhex(d["hash"]),
                        bytes.fromhex(d["metadata"]), bytes.fromhex(d["app_hash"]))
    except (ValueError, KeyError, TypeError) as e:
        raise SnapFileError(f"bad header: {e}") from None
    if header.height < 1 or header.chunks < 1:
        raise SnapFileError("bad header: no height or no chunks")
    if len(header.metadata) != 32 * len(SHARDS):
        raise SnapFileError("bad header: the metadata is not this app's shard roots")
    if app_hash_of_metadata(header.metadata) != header.app_hash:
        raise SnapFileError("bad header: the shard roots do not give its app hash")
    return header


def chunks(path: Path) -> Iterator[tuple[Header, int, bytes]]:
    """(header, index, chunk) in order; the trailing hash is checked after the last chunk,
    so a consumer must not trust what it built until the iterator is exhausted."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        header = _header(f, digest)
        for i in range(header.chunks):
            raw_len = _read_exact(f, 4, f"chunk {i}")
            (n,) = _U32.unpack(raw_len)
            if n > CHUNK_MAX:
                raise SnapFileError(f"chunk {i} claims {n} bytes: corrupt file")
            data = _read_exact(f, n, f"chunk {i}")
            digest.update(raw_len + data)
            yield header, i, data
        trailer = f.read(32)
        if trailer != digest.digest() or f.read(1):
            raise SnapFileError("the file's trailing sha256 does not match its contents")


def verify(path: Path, scratch: Path, options: dict[str, Any] | None = None) -> Header:
    """Rebuild the state from the file in ``scratch`` (removed afterwards): every chunk is
    checked against the manifest, the manifest against the app hash."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    restore = Restore(scratch / "state", shards=SHARDS, **(options or {}))
    header: Header | None = None
    try:
        for header, i, data in chunks(path):
            if i == 0:
                verdict = restore.offer(header.height, header.format, header.chunks,
                                        header.hash, header.metadata, header.app_hash)
                if not verdict.ok:
                    raise SnapFileError(f"snapshot refused: {verdict.reason}")
            verdict = restore.apply_chunk(i, data)
            if not verdict.ok:
                raise SnapFileError(verdict.reason)
        assert header is not None
        try:
            store = restore.finish()
        except StoreError as e:
            raise SnapFileError(f"the restored state does not check out: {e}") from None
        try:
            if store.app_hash != header.app_hash or store.height != header.height:
                raise SnapFileError("the restored state has another app hash or height")
        finally:
            store.close()
        return header
    finally:
        restore.abort()
        shutil.rmtree(scratch, ignore_errors=True)


def unpack(path: Path, snap_dir: Path) -> Header:
    """Write the file's chunks as a snapshot directory (what a node's snapshot store holds)."""
    tmp = snap_dir.with_name(snap_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    header: Header | None = None
    for hdr, i, data in chunks(path):
        (tmp / str(i)).write_bytes(data)
        header = hdr
    assert header is not None
    (tmp / "info.json").write_text(json.dumps({
        "height": header.height, "format": header.format, "chunks": header.chunks,
        "hash": header.hash.hex(), "metadata": header.metadata.hex()}))
    shutil.rmtree(snap_dir, ignore_errors=True)
    tmp.rename(snap_dir)
    return header

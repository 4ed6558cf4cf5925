"""The write-ahead record of the block being committed, and the named fault points.

One file, ``commit.wal``, rewritten in place for every block and fsynced before any shard
is touched; a torn write fails its checksum and is discarded (no shard saw that block).

    header: "FWAL" | done u8 | format u8 | height u64 | prev u64 | length u64 | sha256
    sha256 covers format, height, prev, length and the payload; ``done`` is set after every
    shard applied the block (an unsynced hint: recovery checks shard heights anyway).
    payload: per shard in the store's shard list order: count u32, then per change
             (in H(key) order):
             key length u32 | key | flag u8 (1 set, 0 delete) | [value length u32 | value]
"""

from __future__ import annotations

import os
import signal
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from .errors import StoreError

MAGIC = b"FWAL"
FORMAT = 1
_HEAD = struct.Struct(">4sBBQQQ32s")
_U32 = struct.Struct(">I")

Changes = dict[str, list[tuple[bytes, bytes | None]]]


@dataclass
class Record:
    height: int
    prev: int
    changes: Changes
    done: bool


def encode_payload(shards: Sequence[str], changes: dict[str, Sequence[Sequence]]) -> bytes:
    """``changes``: per shard, (key, value or None) pairs, or the overlay's items (path,
    value hash, key, value): the last two fields are the ones written."""
    parts: list[bytes] = []
    pack = _U32.pack
    for shard in shards:
        entries = changes.get(shard, [])
        parts.append(pack(len(entries)))
        for e in entries:
            key = e[-2]
            value = e[-1]
            if value is None:
                parts += (pack(len(key)), key, b"\x00")
            else:
                parts += (pack(len(key)), key, b"\x01", pack(len(value)), value)
    return b"".join(parts)


def decode_payload(shards: Sequence[str], payload: bytes) -> Changes:
    changes: Changes = {}
    off = 0
    unpack = _U32.unpack_from
    for shard in shards:
        (n,) = unpack(payload, off)
        off += 4
        entries: list[tuple[bytes, bytes | None]] = []
        for _ in range(n):
            (kl,) = unpack(payload, off)
            key = payload[off + 4 : off + 4 + kl]
            off += 4 + kl
            flag = payload[off]
            off += 1
            if flag:
                (vl,) = unpack(payload, off)
                entries.append((key, payload[off + 4 : off + 4 + vl]))
                off += 4 + vl
            else:
                entries.append((key, None))
        if entries:
            changes[shard] = entries
    if off != len(payload):
        raise StoreError("write-ahead record has trailing bytes")
    return changes


def _digest(height: int, prev: int, payload: bytes) -> bytes:
    return sha256(struct.pack(">BQQQ", FORMAT, height, prev, len(payload)) + payload).digest()


class Faults:
    """Named points where a test makes the process SIGKILL itself (FICTRA_STATE_FAULT=name,
    optionally only at height FICTRA_STATE_FAULT_HEIGHT). Read once, at open."""

    def __init__(self) -> None:
        self.point = os.environ.get("FICTRA_STATE_FAULT", "")
        h = os.environ.get("FICTRA_STATE_FAULT_HEIGHT", "")
        self.height = int(h) if h else None

    def hit(self, name: str, height: int) -> None:
        if self.point == name and (self.height is None or self.height == height):
            os.kill(os.getpid(), signal.SIGKILL)


class WriteAheadLog:
    def __init__(self, path: Path, shards: Sequence[str], faults: Faults) -> None:
        """``shards``: the store's list; its order is the payload's (the record is only
        read back by a store opened with the same list)."""
        self.path = path
        self.shards = shards
        self.faults = faults
        fresh = not path.exists()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        if fresh:
            os.fsync(self.fd)
            dfd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)

    def read(self) -> Record | None:
        """The last record, or None if there is none or it was torn before being synced."""
        size = os.fstat(self.fd).st_size
        if size < _HEAD.size:
            return None
        head = os.pread(self.fd, _HEAD.size, 0)
        magic, done, fmt, height, prev, length, digest = _HEAD.unpack(head)
        if magic != MAGIC or fmt != FORMAT or size < _HEAD.size + length:
            return None
        payload = os.pread(self.fd, length, _HEAD.size)
        if len(payload) != length or _digest(height, prev, payload) != digest:
            return None
        return Record(height, prev, decode_payload(self.shards, payload), bool(done))

    def write(self, height: int, prev: int, changes: dict[str, Sequence[Sequence]]) -> None:
        payload = encode_payload(self.shards, changes)
        head = _HEAD.pack(MAGIC, 0, FORMAT, height, prev, len(payload),
                          _digest(height, prev, payload))
        data = head + payload
        if self.faults.point == "wal_partial":
            os.pwrite(self.fd, data[: len(data) // 2], 0)
            self.faults.hit("wal_partial", height)
        os.pwrite(self.fd, data, 0)
        os.fsync(self.fd)
        self.faults.hit("wal_synced", height)

    def clear(self) -> None:
        """No record: the last block needs no finishing (after a rollback)."""
        os.ftruncate(self.fd, 0)
        os.fsync(self.fd)

    def mark_done(self) -> None:
        os.pwrite(self.fd, b"\x01", 4)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

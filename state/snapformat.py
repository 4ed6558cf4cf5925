"""Snapshot format 1: the byte layout that export writes and restore reads.

Each shard's tree is cut at a depth k (a multiple of 4 chosen from its key count); the
non-empty depth-k subtrees are the unit of export and of checking. The shards appear in
the store's shard list order.

    chunk 0, the manifest: "FSM1" | height u64 | chunks u32 | per shard in list order:
        root 32 | keys u64 | k u8 | n u32 | n x (index u32 | kind u8 | hash 32 | chunk u32)
      (the non-empty depth-k subtrees in index order; kind 1 = one leaf, 2 = more)
    chunk i >= 1: "FSC1" | shard index u8 | then subtrees: index u32 | n u32 |
        n x (key length u32 | key | value length u32 | value), keys in path (H(key)) order
    snapshot hash = sha256(manifest); metadata = the shard roots in list order

A chunk never spans shards and is at most CHUNK_MAX bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .errors import StoreError
from .hashing import EMPTY, inner_hash
from .page import K_EMPTY, K_LEAF

FORMAT = 1
CHUNK_MAX = 10 << 20
MANIFEST_MAX = 10 << 20  # ~250k subtrees: shards of billions of keys
TARGET_LEAVES = 4096  # the cut depth aims at about this many keys per subtree
MAX_CUT = 16
M_MAGIC = b"FSM1"
C_MAGIC = b"FSC1"
U32 = struct.Struct(">I")
ENTRY = struct.Struct(">IB32sI")  # manifest subtree: index, kind, hash, chunk

# A manifest subtree entry: (index, kind 1|2, hash, chunk).
Entry = tuple[int, int, bytes, int]


class SnapshotError(StoreError):
    """A snapshot that cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class SnapshotInfo:
    height: int
    format: int
    chunks: int
    hash: bytes
    metadata: bytes


@dataclass
class ShardPlan:
    """One shard's section of a manifest."""

    root: bytes
    count: int
    k: int
    entries: list[Entry]


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


def parse_manifest(data: bytes, shards: Sequence[str]) -> tuple[int, int, list[ShardPlan]]:
    """(height, chunk count, one plan per shard) of a manifest for ``shards``."""
    if data[:4] != M_MAGIC or len(data) < 16:
        raise SnapshotError("not a format-1 snapshot manifest")
    height = int.from_bytes(data[4:12], "big")
    (chunks,) = U32.unpack_from(data, 12)
    off = 16
    plans = []
    for _ in shards:
        if len(data) < off + 45:
            raise SnapshotError("truncated manifest")
        root = data[off : off + 32]
        count = int.from_bytes(data[off + 32 : off + 40], "big")
        k = data[off + 40]
        (n,) = U32.unpack_from(data, off + 41)
        off += 45
        if k % 4 or k > MAX_CUT or len(data) < off + n * ENTRY.size:
            raise SnapshotError("bad or truncated manifest shard section")
        entries = [ENTRY.unpack_from(data, off + i * ENTRY.size) for i in range(n)]
        off += n * ENTRY.size
        plans.append(ShardPlan(root, count, k, entries))
    if off != len(data):
        raise SnapshotError("manifest has trailing bytes")
    return height, chunks, plans


def parse_chunk(data: bytes) -> tuple[int, Iterator[tuple[int, list[tuple[bytes, bytes]]]]]:
    """A data chunk's shard index and its subtrees (index, (key, value) pairs), lazily."""
    if data[:4] != C_MAGIC or len(data) < 5:
        raise SnapshotError("not a format-1 data chunk")

    def subtrees() -> Iterator[tuple[int, list[tuple[bytes, bytes]]]]:
        off = 5
        unpack = U32.unpack_from
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

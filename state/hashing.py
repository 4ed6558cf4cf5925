"""Hash rules of the sparse Merkle trees and the app hash (pure hashlib; the verifier uses it).

Tree: path = H(key); leaf = H(0x00 || path || H(value)); inner = H(0x01 || left || right);
empty subtree = 32 zero bytes; a subtree holding exactly one leaf has that leaf's hash (the
leaf is lifted). App hash: RFC 6962 Merkle root over H(0x00 || len(name) || name || root)
for the shards sorted by name.
"""

from __future__ import annotations

from collections.abc import Iterable
from hashlib import sha256

EMPTY = bytes(32)
LEAF_PREFIX = b"\x00"
INNER_PREFIX = b"\x01"


def key_path(key: bytes) -> bytes:
    return sha256(key).digest()


def value_hash(value: bytes) -> bytes:
    return sha256(value).digest()


def leaf_hash(path: bytes, vhash: bytes) -> bytes:
    return sha256(LEAF_PREFIX + path + vhash).digest()


def inner_hash(left: bytes, right: bytes) -> bytes:
    return sha256(INNER_PREFIX + left + right).digest()


def bit(path: bytes, depth: int) -> int:
    """Bit ``depth`` of a 256-bit path, most significant first."""
    return (path[depth >> 3] >> (7 - (depth & 7))) & 1


def shard_leaf(name: str, root: bytes) -> bytes:
    raw = name.encode("ascii")
    return sha256(LEAF_PREFIX + bytes((len(raw),)) + raw + root).digest()


def _merkle(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 1:
        return leaves[0]
    k = 1 << ((n - 1).bit_length() - 1)  # largest power of two below n
    return inner_hash(_merkle(leaves[:k]), _merkle(leaves[k:]))


def app_hash_of(roots: Iterable[tuple[str, bytes]]) -> bytes:
    """The app hash over (shard name, shard root) pairs, in sorted name order."""
    items = sorted(roots)
    if not items:
        return sha256(b"").digest()
    return _merkle([shard_leaf(name, root) for name, root in items])

"""One tree page: four binary levels of a shard's sparse Merkle tree, stored as one DB entry.

A page sits at a depth that is a multiple of 4 and covers the 16 subtrees ("slots") four
levels below it. It keeps the whole binary heap of its positions in memory (1 = the page
root, 16..31 = the slots) so an update rehashes only the dirty positions, each once.
Heap kinds: 0 empty, 1 exactly one leaf (its hash is the lifted leaf hash), 2 two or more.

What a slot holds depends only on how many leaves its subtree has (storage, never hashing):
none; one leaf (path || value hash, 64 bytes); a "bucket" of 2..BUCKET leaves (their
64-byte records sorted by path, hashed on the fly); or, above BUCKET, a child page.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256

from .hashing import EMPTY, INNER_PREFIX, bit

BUCKET = 4
# A subtree reference at a page-aligned depth: (kind, hash, payload). Payload: 64-byte leaf
# record (K_LEAF), child page version (K_PAGE), n*64 bytes of sorted leaf records (K_BUCKET).
Ref = tuple[int, bytes, "bytes | int | None"]
Frozen = tuple[bytearray, bytearray, tuple[bytes, ...]]
EMPTY_REF: Ref = (0, EMPTY, None)
K_EMPTY, K_LEAF, K_PAGE, K_BUCKET = 0, 1, 2, 3


def slot_of(path: bytes, depth: int) -> int:
    """The 4-bit slot index below a page at ``depth`` (a multiple of 4) on ``path``."""
    b = path[depth >> 3]
    return b & 15 if depth & 4 else b >> 4


def prefix_of(path: bytes, depth: int) -> bytes:
    """The first ``depth`` bits of ``path`` as bytes (unused low bits zeroed)."""
    n = (depth + 7) >> 3
    p = path[:n]
    if depth & 7:
        return p[:-1] + bytes((p[-1] & (0xFF << (8 - (depth & 7))) & 0xFF,))
    return p


def records_hash(recs: list[bytes], depth: int) -> bytes:
    """Hash of the subtree at ``depth`` holding the sorted 64-byte leaf records ``recs``."""
    if len(recs) == 1:
        return sha256(b"\x00" + recs[0]).digest()
    first = recs[0]
    # All records share the bits before the first one where the first and last differ.
    x = int.from_bytes(first[:32], "big") ^ int.from_bytes(recs[-1][:32], "big")
    split = 256 - x.bit_length()
    i = 1
    while not bit(recs[i], split):
        i += 1
    h = sha256(
        INNER_PREFIX + records_hash(recs[:i], split + 1) + records_hash(recs[i:], split + 1)
    ).digest()
    for d in range(split - 1, depth - 1, -1):  # the single-child levels above the split
        h = sha256(INNER_PREFIX + (EMPTY + h if bit(first, d) else h + EMPTY)).digest()
    return h


def split_records(payload: bytes) -> list[bytes]:
    return [payload[i : i + 64] for i in range(0, len(payload), 64)]


def leaves_ref(recs: list[bytes], depth: int) -> Ref:
    """The ref of 1..BUCKET sorted leaf records at ``depth``: a leaf or a bucket."""
    if len(recs) == 1:
        r = recs[0]
        return (K_LEAF, sha256(b"\x00" + r).digest(), r)
    return (K_BUCKET, records_hash(recs, depth), b"".join(recs))


class Page:
    __slots__ = ("hashes", "kinds", "stored")

    def __init__(
        self, hashes: bytearray, kinds: bytearray, stored: list[bytes] | tuple[bytes, ...]
    ) -> None:
        self.hashes = hashes  # 32 positions x 32 bytes; position 0 unused
        self.kinds = kinds  # 32 heap kind bytes
        # 16 slot encodings, exactly as stored on disk (b"" when empty); slot refs are read
        # back from them, so a cached page holds each leaf record once.
        self.stored = stored

    @classmethod
    def empty(cls) -> Page:
        return cls(bytearray(1024), bytearray(32), [b""] * 16)

    def copy(self) -> Page:
        return Page(bytearray(self.hashes), bytearray(self.kinds), list(self.stored))

    def frozen(self) -> Frozen:
        """The page as a plain tuple for the cache: tuples of bytes and bytearrays drop out
        of the cyclic garbage collector's scans, which a cache of many pages would slow."""
        return (self.hashes, self.kinds, tuple(self.stored))

    @property
    def root_hash(self) -> bytes:
        return bytes(self.hashes[32:64])

    def hash_at(self, pos: int) -> bytes:
        o = pos << 5
        return bytes(self.hashes[o : o + 32])

    def slot_ref(self, s: int) -> Ref:
        e = self.stored[s]
        if not e:
            return EMPTY_REF
        kind = e[0] & 15
        if kind == K_LEAF:
            o = (16 + s) << 5
            return (K_LEAF, bytes(self.hashes[o : o + 32]), e[1:])
        if kind == K_PAGE:
            return (K_PAGE, e[9:41], int.from_bytes(e[1:9], "big"))
        return (K_BUCKET, e[2:34], e[34:])

    def set_slot(self, s: int, ref: Ref) -> None:
        pos = 16 + s
        kind, h, payload = ref
        o = pos << 5
        self.hashes[o : o + 32] = h
        if kind == K_LEAF:
            self.kinds[pos] = 1
            self.stored[s] = _LEAF_TAG[s] + payload  # type: ignore[operator]
        elif kind == K_EMPTY:
            self.kinds[pos] = 0
            self.stored[s] = b""
        else:
            self.kinds[pos] = 2
            if kind == K_PAGE:
                self.stored[s] = _PAGE_TAG[s] + payload.to_bytes(8, "big") + h  # type: ignore[union-attr]
            else:
                self.stored[s] = _BUCKET_TAG[s] + bytes((len(payload) >> 6,)) + h + payload  # type: ignore[arg-type,operator]

    def rehash(self, dirty_slots: Sequence[int]) -> None:
        """Recompute the positions above the given slots, each shared ancestor once."""
        if len(dirty_slots) == 1:
            i = (16 + dirty_slots[0]) >> 1
            order: list[int] = [i, i >> 1, i >> 2, i >> 3]
        else:
            order = []
            level = {(16 + s) >> 1 for s in dirty_slots}
            while True:
                order += sorted(level, reverse=True)
                if 1 in level:
                    break
                level = {i >> 1 for i in level}
        self._combine(order)

    def rehash_slot(self, s: int) -> None:
        """Recompute the four positions above one slot."""
        i = (16 + s) >> 1
        self._combine((i, i >> 1, i >> 2, 1))

    def rehash_all(self) -> None:
        self._combine(range(15, 0, -1))

    def _combine(self, order: object) -> None:
        k = self.kinds
        h = self.hashes
        for i in order:  # type: ignore[attr-defined]
            c = i << 6  # the children are adjacent: left || right is one 64-byte slice
            kl = k[2 * i]
            kr = k[2 * i + 1]
            o = i << 5
            if kr == 0 and kl <= 1:  # empty, or a lone left leaf lifted
                k[i] = kl
                h[o : o + 32] = h[c : c + 32]
            elif kl == 0 and kr == 1:  # a lone right leaf lifted
                k[i] = 1
                h[o : o + 32] = h[c + 32 : c + 64]
            else:
                k[i] = 2
                h[o : o + 32] = sha256(INNER_PREFIX + h[c : c + 64]).digest()

    def lone_leaf_under(self, pos: int) -> Ref:
        """The slot ref of the only leaf below position ``pos`` (whose kind is 1)."""
        while pos < 16:
            pos = 2 * pos if self.kinds[2 * pos] else 2 * pos + 1
        return self.slot_ref(pos - 16)

    def small_records(self) -> list[bytes] | None:
        """All leaf records if the page holds no child page and at most BUCKET leaves."""
        total = 0
        recs: list[bytes] = []
        for e in self.stored:
            if not e:
                continue
            kind = e[0] & 15
            if kind == K_PAGE:
                return None
            body = e[1:] if kind == K_LEAF else e[34:]
            total += len(body)
            if total > 64 * BUCKET:
                return None
            recs.append(body)
        return split_records(b"".join(recs))

    def encode(self) -> bytes:
        """Per non-empty slot, in slot order: a byte (slot << 4 | kind), then a leaf record
        (64) | child version u64 and hash (40) | bucket count u8, hash and records."""
        return b"".join(self.stored)

    @classmethod
    def decode(cls, data: bytes) -> Page:
        page = cls.empty()
        off = 0
        n = len(data)
        try:
            while off < n:
                tag = data[off]
                s = tag >> 4
                kind = tag & 15
                if kind == K_LEAF:
                    rec = data[off + 1 : off + 65]
                    off += 65
                    ref: Ref = (K_LEAF, sha256(b"\x00" + rec).digest(), rec)
                elif kind == K_PAGE:
                    ref = (K_PAGE, data[off + 9 : off + 41],
                           int.from_bytes(data[off + 1 : off + 9], "big"))
                    off += 41
                elif kind == K_BUCKET:
                    cnt = data[off + 1]
                    ref = (K_BUCKET, data[off + 2 : off + 34], data[off + 34 : off + 34 + 64 * cnt])
                    off += 34 + 64 * cnt
                else:
                    raise ValueError(f"bad tree page slot kind {kind}")
                if off > n or page.stored[s]:
                    raise ValueError("truncated or repeated tree page slot")
                page.set_slot(s, ref)
        except IndexError:
            raise ValueError("truncated tree page") from None
        page.rehash_all()
        return page


_LEAF_TAG = [bytes(((s << 4) | K_LEAF,)) for s in range(16)]
_PAGE_TAG = [bytes(((s << 4) | K_PAGE,)) for s in range(16)]
_BUCKET_TAG = [bytes(((s << 4) | K_BUCKET,)) for s in range(16)]

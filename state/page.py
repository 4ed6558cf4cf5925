"""One tree page: four binary levels of a shard's sparse Merkle tree, stored as one DB entry.

A page sits at a depth that is a multiple of 4 and covers the 16 subtrees ("slots") four
levels below it. It keeps the whole binary heap of its positions in memory (1 = the page
root, 16..31 = the slots) so an update rehashes only the dirty positions, each once.
Positions are kinds 0 (empty), 1 (exactly one leaf: its hash is the lifted leaf hash) or
2 (two or more leaves). A slot of kind 2 is a child page.

A page exists only for a subtree holding two or more leaves; a single leaf is kept inline
in the slot of the page above it (lifted), so paths stay short.
"""

from __future__ import annotations

from hashlib import sha256

from .hashing import EMPTY, INNER_PREFIX, leaf_hash

# A subtree reference at a page-aligned depth: (kind, hash, payload) where payload is the
# 64-byte path || value-hash of a leaf, the version (int) of a child page, or None.
Ref = tuple[int, bytes, "bytes | int | None"]
EMPTY_REF: Ref = (0, EMPTY, None)
K_EMPTY, K_LEAF, K_PAGE = 0, 1, 2
_ZERO64 = bytes(64)


def leaf_ref(path: bytes, vhash: bytes) -> Ref:
    return (K_LEAF, leaf_hash(path, vhash), path + vhash)


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


class Page:
    __slots__ = ("hashes", "kinds", "payload")

    def __init__(self, hashes: bytearray, kinds: bytearray, payload: bytearray) -> None:
        self.hashes = hashes  # 32 positions x 32 bytes; position 0 unused
        self.kinds = kinds  # 32 kind bytes
        self.payload = payload  # 16 slots x 64 bytes: leaf path || vhash, or child version

    @classmethod
    def empty(cls) -> Page:
        return cls(bytearray(1024), bytearray(32), bytearray(1024))

    def copy(self) -> Page:
        return Page(bytearray(self.hashes), bytearray(self.kinds), bytearray(self.payload))

    @property
    def root_kind(self) -> int:
        return self.kinds[1]

    @property
    def root_hash(self) -> bytes:
        return bytes(self.hashes[32:64])

    def hash_at(self, pos: int) -> bytes:
        o = pos << 5
        return bytes(self.hashes[o : o + 32])

    def slot_ref(self, s: int) -> Ref:
        pos = 16 + s
        kind = self.kinds[pos]
        if kind == K_EMPTY:
            return EMPTY_REF
        o = pos << 5
        h = bytes(self.hashes[o : o + 32])
        p = s << 6
        if kind == K_LEAF:
            return (K_LEAF, h, bytes(self.payload[p : p + 64]))
        return (K_PAGE, h, int.from_bytes(self.payload[p : p + 8], "big"))

    def set_slot(self, s: int, ref: Ref) -> None:
        pos = 16 + s
        kind = ref[0]
        self.kinds[pos] = kind
        o = pos << 5
        self.hashes[o : o + 32] = ref[1]
        p = s << 6
        if kind == K_LEAF:
            self.payload[p : p + 64] = ref[2]  # type: ignore[index]
        elif kind == K_PAGE:
            self.payload[p : p + 64] = ref[2].to_bytes(8, "big") + _ZERO64[8:]  # type: ignore[union-attr]
        else:
            self.payload[p : p + 64] = _ZERO64

    def _combine(self, i: int) -> None:
        k = self.kinds
        kl = k[2 * i]
        kr = k[2 * i + 1]
        h = self.hashes
        o = i << 5
        if kr == 0 and kl <= 1:  # empty, or a lone left leaf lifted
            k[i] = kl
            h[o : o + 32] = h[o << 1 : (o << 1) + 32]
        elif kl == 0 and kr == 1:  # a lone right leaf lifted
            k[i] = 1
            h[o : o + 32] = h[(o << 1) + 32 : (o << 1) + 64]
        else:  # children are adjacent in the heap: left || right is one slice
            k[i] = 2
            h[o : o + 32] = sha256(INNER_PREFIX + h[o << 1 : (o << 1) + 64]).digest()

    def rehash(self, dirty_slots: list[int]) -> None:
        """Recompute the positions above the given slots, each shared ancestor once."""
        if len(dirty_slots) == 1:
            i = (16 + dirty_slots[0]) >> 1
            while i:
                self._combine(i)
                i >>= 1
            return
        level = {(16 + s) >> 1 for s in dirty_slots}
        while True:
            for i in sorted(level):
                self._combine(i)
            if 1 in level:
                return
            level = {i >> 1 for i in level}

    def rehash_all(self) -> None:
        for i in range(15, 0, -1):
            self._combine(i)

    def lone_leaf_under(self, pos: int) -> Ref:
        """The slot ref of the only leaf below position ``pos`` (whose kind is 1)."""
        while pos < 16:
            pos = 2 * pos if self.kinds[2 * pos] else 2 * pos + 1
        return self.slot_ref(pos - 16)

    def encode(self) -> bytes:
        k = self.kinds
        parts = [bytes(k[16:32])]
        pl = self.payload
        h = self.hashes
        for s in range(16):
            kind = k[16 + s]
            if kind == K_LEAF:
                parts.append(pl[s << 6 : (s << 6) + 64])
            elif kind == K_PAGE:
                o = (16 + s) << 5
                parts.append(pl[s << 6 : (s << 6) + 8])
                parts.append(h[o : o + 32])
        return b"".join(parts)

    @classmethod
    def decode(cls, data: bytes) -> Page:
        if len(data) < 16:
            raise ValueError("truncated tree page")
        kinds = bytearray(32)
        kinds[16:32] = data[:16]
        hashes = bytearray(1024)
        payload = bytearray(1024)
        off = 16
        try:
            for s in range(16):
                kind = kinds[16 + s]
                if kind == K_EMPTY:
                    continue
                o = (16 + s) << 5
                if kind == K_LEAF:
                    pv = data[off : off + 64]
                    off += 64
                    payload[s << 6 : (s << 6) + 64] = pv
                    hashes[o : o + 32] = leaf_hash(pv[:32], pv[32:])
                elif kind == K_PAGE:
                    payload[s << 6 : (s << 6) + 8] = data[off : off + 8]
                    hashes[o : o + 32] = data[off + 8 : off + 40]
                    off += 40
                else:
                    raise ValueError(f"bad slot kind {kind}")
        except IndexError as exc:
            raise ValueError("truncated tree page") from exc
        if off != len(data):
            raise ValueError("tree page has trailing or missing bytes")
        page = cls(hashes, kinds, payload)
        page.rehash_all()
        return page

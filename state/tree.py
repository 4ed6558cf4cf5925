"""Versioned sparse Merkle tree operations over pages: update, bulk build, proof paths, walks.

Pages are immutable once written; an update copies the pages on the dirty paths, writes
them under the new version and reports the replaced ones as stale (for pruning). Nothing
here touches disk: pages come from a ``PageReader`` and new ones are returned.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Protocol

from .hashing import EMPTY, bit
from .keys import NODE
from .page import (
    BUCKET,
    EMPTY_REF,
    K_BUCKET,
    K_EMPTY,
    K_LEAF,
    K_PAGE,
    Page,
    Ref,
    leaves_ref,
    prefix_of,
    records_hash,
    slot_of,
    split_records,
)


class PageReader(Protocol):
    def load(self, version: int, depth: int, prefix: bytes) -> Page: ...

    def load_copy(self, key: bytes) -> Page:
        """A private, mutable copy of the page stored under node key ``key``."""
        ...


@dataclass
class TreeUpdate:
    root: Ref
    pages: dict[bytes, Page] = field(default_factory=dict)  # node key -> new page
    stale: list[bytes] = field(default_factory=list)  # node keys replaced
    inserted: list[bytes] = field(default_factory=list)  # paths that became live
    deleted: list[bytes] = field(default_factory=list)  # paths that were removed


def child_prefix(prefix: bytes, depth: int, s: int) -> bytes:
    return prefix + bytes((s << 4,)) if depth & 4 == 0 else prefix[:-1] + bytes((prefix[-1] | s,))


def prefix_from_index(idx: int, depth: int) -> bytes:
    n = (depth + 7) >> 3
    return (idx << (8 * n - depth)).to_bytes(n, "big") if n else b""


def index_of(path: bytes, depth: int) -> int:
    n = (depth + 7) >> 3
    return int.from_bytes(path[:n], "big") >> (8 * n - depth) if n else 0


def _finish(
    page: Page, out: TreeUpdate, version: int, depth: int, prefix: bytes, shrunk: bool = True
) -> Ref:
    """The ref for a rebuilt page: the page, or its few leaves inline when it shrank."""
    kind = page.kinds[1]
    if kind == K_LEAF:
        return page.lone_leaf_under(1)
    if kind == K_EMPTY:
        return EMPTY_REF
    if shrunk:
        recs = page.small_records()
        if recs is not None:
            return (K_BUCKET, page.root_hash, b"".join(recs))
    out.pages[NODE + version.to_bytes(8, "big") + bytes((depth,)) + prefix] = page
    return (K_PAGE, bytes(page.hashes[32:64]), version)


class _Updater:
    def __init__(
        self, reader: PageReader, version: int, out: TreeUpdate, deletes: bool = True
    ) -> None:
        self.reader = reader
        self.version = version
        self.out = out
        self.deletes = deletes  # without deletes no page can shrink to a bucket

    def build(self, recs: list[bytes], lo: int, hi: int, depth: int) -> Ref:
        """A subtree at page-aligned ``depth`` holding the sorted leaf records recs[lo:hi]."""
        n = hi - lo
        if n == 0:
            return EMPTY_REF
        if n <= BUCKET:
            return leaves_ref(recs[lo:hi], depth)
        page = Page.empty()
        i = lo
        while i < hi:
            s = slot_of(recs[i], depth)
            j = i + 1
            while j < hi and slot_of(recs[j], depth) == s:
                j += 1
            page.set_slot(s, self.build(recs, i, j, depth + 4))
            i = j
        page.rehash_all()
        return _finish(page, self.out, self.version, depth, prefix_of(recs[lo], depth))

    def apply(self, ref: Ref, depth: int, items: Sequence[Sequence], lo: int, hi: int) -> Ref:
        """The subtree ``ref`` at page-aligned ``depth`` with items[lo:hi] applied (they all
        share its path prefix)."""
        kind = ref[0]
        if kind == K_PAGE:
            p0 = items[lo][0]
            # prefix_of and node_key, inlined: this runs for every page on every dirty path
            n = (depth + 7) >> 3
            prefix = p0[:n - 1] + bytes((p0[n - 1] & 0xF0,)) if depth & 4 else p0[:n]
            nk = NODE + ref[2].to_bytes(8, "big") + bytes((depth,)) + prefix  # type: ignore[union-attr]
            page = self.reader.load_copy(nk)
            self.out.stale.append(nk)
            d4 = depth + 4
            if hi - lo == 1:  # one update below this page: one slot, one path to rehash
                b = p0[depth >> 3]
                s = b & 15 if depth & 4 else b >> 4
                page.set_slot(s, self.apply(page.slot_ref(s), d4, items, lo, hi))
                page.rehash_slot(s)
                return _finish(page, self.out, self.version, depth, prefix, self.deletes)
            dirty = []
            i = lo
            while i < hi:
                s = slot_of(items[i][0], depth)
                j = i + 1
                while j < hi and slot_of(items[j][0], depth) == s:
                    j += 1
                page.set_slot(s, self.apply(page.slot_ref(s), d4, items, i, j))
                dirty.append(s)
                i = j
            page.rehash(dirty)
            return _finish(page, self.out, self.version, depth, prefix, self.deletes)
        # Empty, one leaf or a bucket: merge its records with the updates, build the result.
        out = self.out
        if hi - lo == 1 and kind != K_BUCKET:  # the common case: one update lands here
            it = items[lo]
            p = it[0]
            vh = it[1]
            if kind == K_EMPTY:
                if vh is None:
                    return EMPTY_REF
                out.inserted.append(p)
                rec = p + vh
                return (K_LEAF, sha256(b"\x00" + rec).digest(), rec)
            if ref[2][:32] == p:  # type: ignore[index]
                if vh is None:
                    out.deleted.append(p)
                    return EMPTY_REF
                rec = p + vh
                return (K_LEAF, sha256(b"\x00" + rec).digest(), rec)
        recs = [] if kind == K_EMPTY else split_records(ref[2])  # type: ignore[arg-type]
        paths = [r[:32] for r in recs]
        for k in range(lo, hi):
            it = items[k]
            p = it[0]
            vh = it[1]
            at = bisect_left(paths, p)
            found = at < len(paths) and paths[at] == p
            if vh is None:
                if found:
                    del paths[at], recs[at]
                    out.deleted.append(p)
            elif found:
                recs[at] = p + vh
            else:
                paths.insert(at, p)
                recs.insert(at, p + vh)
                out.inserted.append(p)
        return self.build(recs, 0, len(recs), depth)


def apply_updates(
    reader: PageReader, root: Ref, items: Sequence[Sequence], version: int
) -> TreeUpdate:
    """Apply updates at ``version``: items start with (path, value hash or None), sorted by
    path, one per path."""
    out = TreeUpdate(root=root)
    if items:
        deletes = any(it[1] is None for it in items)
        out.root = _Updater(reader, version, out, deletes).apply(root, 0, items, 0, len(items))
    return out


def build_tree(recs: list[bytes], version: int, depth: int = 0) -> TreeUpdate:
    """Build the subtree at ``depth`` from sorted leaf records (path || value hash) that
    share its prefix."""
    out = TreeUpdate(root=EMPTY_REF)
    out.root = _Updater(_NoPages(), version, out).build(recs, 0, len(recs), depth)
    return out


def build_from_cut(cut: list[tuple[int, Ref]], k: int, version: int) -> TreeUpdate:
    """Build the pages above depth ``k`` from the sorted non-empty depth-``k`` subtrees."""
    out = TreeUpdate(root=EMPTY_REF)

    def rec(lo: int, hi: int, depth: int, idx: int) -> Ref:
        if lo == hi:
            return EMPTY_REF
        if depth == k:
            return cut[lo][1]
        if hi - lo == 1 and cut[lo][1][0] == K_LEAF:
            return cut[lo][1]  # a lone leaf is lifted above its depth-k position
        if all(cut[j][1][0] in (K_LEAF, K_BUCKET) for j in range(lo, hi)):
            recs = split_records(b"".join(cut[j][1][2] for j in range(lo, hi)))  # type: ignore[misc]
            if len(recs) <= BUCKET:
                return leaves_ref(recs, depth)
        page = Page.empty()
        shift = k - depth - 4
        i = lo
        while i < hi:
            s = (cut[i][0] >> shift) & 15
            j = i + 1
            while j < hi and (cut[j][0] >> shift) & 15 == s:
                j += 1
            page.set_slot(s, rec(i, j, depth + 4, (idx << 4) | s))
            i = j
        page.rehash_all()
        return _finish(page, out, version, depth, prefix_from_index(idx, depth))

    out.root = rec(0, len(cut), 0, 0)
    return out


class _NoPages:
    def load(self, version: int, depth: int, prefix: bytes) -> Page:
        raise AssertionError("a fresh build reads no pages")

    def load_copy(self, key: bytes) -> Page:
        raise AssertionError("a fresh build reads no pages")


def prove_path(reader: PageReader, root: Ref, path: bytes) -> tuple[list[bytes], Ref]:
    """Siblings from the top down to where ``path`` ends (a leaf or an empty subtree)."""
    sibs: list[bytes] = []
    ref = root
    depth = 0
    while ref[0] == K_PAGE:
        page = reader.load(ref[2], depth, prefix_of(path, depth))  # type: ignore[arg-type]
        i = 1
        for lvl in range(4):
            c = 2 * i + bit(path, depth + lvl)
            sibs.append(page.hash_at(c ^ 1))
            if c >= 16:
                ref = page.slot_ref(c - 16)
                break
            kc = page.kinds[c]
            if kc == K_EMPTY:
                return sibs, EMPTY_REF
            if kc == K_LEAF:
                return sibs, page.lone_leaf_under(c)
            i = c
        depth += 4
    if ref[0] != K_BUCKET:
        return sibs, ref
    recs = split_records(ref[2])  # type: ignore[arg-type]
    while len(recs) > 1:  # walk down inside the bucket
        b = bit(path, depth)
        same = [r for r in recs if bit(r, depth) == b]
        other = [r for r in recs if bit(r, depth) != b]
        sibs.append(records_hash(other, depth + 1) if other else EMPTY)
        recs = same
        depth += 1
    return sibs, (leaves_ref(recs, depth) if recs else EMPTY_REF)


def iter_leaves(reader: PageReader, ref: Ref, depth: int, prefix: bytes) -> Iterator[bytes]:
    """The 64-byte record (path || value hash) of every leaf under ``ref``, in path order."""
    kind = ref[0]
    if kind in (K_LEAF, K_BUCKET):
        yield from split_records(ref[2])  # type: ignore[arg-type]
    elif kind == K_PAGE:
        page = reader.load(ref[2], depth, prefix)  # type: ignore[arg-type]
        for s in range(16):
            sref = page.slot_ref(s)
            if sref[0]:
                yield from iter_leaves(reader, sref, depth + 4, child_prefix(prefix, depth, s))


def iter_cut(reader: PageReader, root: Ref, k: int) -> Iterator[tuple[int, Ref, bytes]]:
    """The non-empty subtrees at depth ``k`` (a multiple of 4), in order: (index, ref, prefix
    of the page holding them) -- a leaf lifted above depth k stands for its depth-k subtree."""

    def rec(ref: Ref, depth: int, prefix: bytes) -> Iterator[tuple[int, Ref, bytes]]:
        kind = ref[0]
        if kind == K_EMPTY:
            return
        if kind == K_LEAF:
            yield index_of(ref[2], k), ref, prefix  # type: ignore[arg-type]
            return
        if kind == K_BUCKET and depth < k:  # split its records into depth-k subtrees
            recs = split_records(ref[2])  # type: ignore[arg-type]
            i = 0
            while i < len(recs):
                idx = index_of(recs[i], k)
                j = i + 1
                while j < len(recs) and index_of(recs[j], k) == idx:
                    j += 1
                yield idx, leaves_ref(recs[i:j], k), prefix
                i = j
            return
        if depth == k:
            yield index_of(prefix + bytes(32), k), ref, prefix
            return
        page = reader.load(ref[2], depth, prefix)  # type: ignore[arg-type]
        for s in range(16):
            sref = page.slot_ref(s)
            if sref[0]:
                yield from rec(sref, depth + 4, child_prefix(prefix, depth, s))

    yield from rec(root, 0, b"")

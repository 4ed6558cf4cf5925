"""The tree as stored in a shard's LevelDB: page loading (through the cache) and the root
record codec. Shared by the store, snapshot export and restore."""

from __future__ import annotations

from collections.abc import Callable

from .cache import PageCache
from .errors import StoreError
from .keys import node_key, u64
from .page import EMPTY_REF, K_BUCKET, K_LEAF, K_PAGE, Page, Ref


def encode_root(ref: Ref, count: int) -> bytes:
    """The ``R`` record: kind | hash | key count u64 | leaf/bucket records or page version."""
    kind, h, payload = ref
    tail = u64(payload) if kind == K_PAGE else payload or b""  # type: ignore[arg-type]
    return bytes((kind,)) + h + u64(count) + tail  # type: ignore[operator]


def decode_root(raw: bytes) -> tuple[Ref, int]:
    kind = raw[0]
    h = raw[1:33]
    count = int.from_bytes(raw[33:41], "big")
    if kind in (K_LEAF, K_BUCKET):
        return (kind, h, raw[41:]), count
    if kind == K_PAGE:
        return (K_PAGE, h, int.from_bytes(raw[41:49], "big")), count
    return EMPTY_REF, count


class PageSource:
    """Loads the pages of one shard from its DB (or a snapshot view), through ``cache`` if
    given; ``tag`` (the shard's one-byte index) keeps the shards apart in a shared cache."""

    def __init__(
        self, get: Callable[[bytes], bytes | None], cache: PageCache | None, tag: bytes = b""
    ) -> None:
        self._get = get
        self._cache = cache
        self.tag = tag

    def load(self, version: int, depth: int, prefix: bytes) -> Page:
        return self.load_key(node_key(version, depth, prefix))

    def load_copy(self, key: bytes) -> Page:
        cache = self._cache
        if cache is not None:
            entry = cache.get(self.tag + key)
            if entry is not None:
                return Page(bytearray(entry[0]), bytearray(entry[1]), list(entry[2]))
        return self.load_key(key).copy()

    def load_key(self, key: bytes) -> Page:
        cache = self._cache
        if cache is not None:
            entry = cache.get(self.tag + key)
            if entry is not None:
                return Page(*entry)  # read-only; updates copy it
        raw = self._get(key)
        if raw is None:
            version, depth = int.from_bytes(key[1:9], "big"), key[9]
            raise StoreError(f"tree page missing (version {version}, depth {depth}): pruned?")
        page = Page.decode(raw)
        if cache is not None:
            cache.put(self.tag + key, page.frozen())
        return page

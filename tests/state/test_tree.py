"""Roots: equal to the definition, independent of write order, batching and history."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from state.hashing import EMPTY, app_hash_of
from state.page import BUCKET, Page

from .conftest import SHARDS, Stores, reference_root

keys = st.binary(min_size=0, max_size=12)
values = st.binary(min_size=0, max_size=40)
SETTINGS = settings(max_examples=40, deadline=None)


def test_empty_store_has_defined_hash(open_store) -> None:
    store = open_store()
    assert store.height == 0
    assert store.shard_roots() == {s: EMPTY for s in SHARDS}
    assert store.app_hash == app_hash_of((s, EMPTY) for s in SHARDS)
    assert store.overlay().app_hash() == store.app_hash


@SETTINGS
@given(pairs=st.dictionaries(keys, values, max_size=120), seed=st.integers(0, 2**32))
def test_root_matches_definition_in_any_order(pairs, seed) -> None:
    items = list(pairs.items())
    random.Random(seed).shuffle(items)
    with Stores() as stores:
        a, b = stores.open("a"), stores.open("b")
        oa, ob = a.overlay(), b.overlay()
        for k, v in items:
            oa.set("blue", k, v)
        for k, v in reversed(items):
            ob.set("blue", k, v)
        assert oa.shard_roots()["blue"] == reference_root(pairs)
        expected = oa.app_hash()
        assert a.commit(oa, 1) == b.commit(ob, 1) == expected == a.app_hash


@SETTINGS
@given(
    blocks=st.lists(
        st.lists(st.tuples(keys, st.one_of(st.none(), values)), max_size=60), max_size=6
    ),
)
def test_incremental_updates_match_one_shot(blocks) -> None:
    """Many blocks with deletes land on the same root as writing the final state at once."""
    with Stores() as stores:
        _incremental(stores.open("inc"), stores.open("once"), blocks)


def _incremental(inc, once, blocks) -> None:
    model: dict[bytes, bytes] = {}
    for h, block in enumerate(blocks, start=1):
        ov = inc.overlay()
        for k, v in block:
            if v is None:
                ov.delete("red", k)
                model.pop(k, None)
            else:
                ov.set("red", k, v)
                model[k] = v
        inc.commit(ov, h)
        assert inc.shard_roots()["red"] == reference_root(model)
    ov = once.overlay()
    for k, v in model.items():
        ov.set("red", k, v)
    once.commit(ov, 1)
    assert once.shard_roots() == inc.shard_roots()


def test_large_shard_with_pages_and_buckets(open_store) -> None:
    """Enough keys for several page levels; then delete most of them again."""
    store = open_store()
    model = {b"k%05d" % i: b"v%d" % i for i in range(3000)}
    ov = store.overlay()
    for k, v in model.items():
        ov.set("green", k, v)
    store.commit(ov, 1)
    assert store.shard_roots()["green"] == reference_root(model)
    rng = random.Random(7)
    for h in range(2, 6):
        ov = store.overlay()
        for k in rng.sample(sorted(model), 600):
            ov.delete("green", k)
            del model[k]
        store.commit(ov, h)
        assert store.shard_roots()["green"] == reference_root(model)
    assert store.key_count("green") == len(model)


def test_page_codec_round_trip() -> None:
    from state.tree import build_tree

    recs = sorted(bytes([i, j]) + bytes(30) + bytes([i]) * 32 for i in range(6) for j in (0, 9))
    upd = build_tree(recs, 5)
    assert upd.pages and len(recs) > BUCKET
    for page in upd.pages.values():
        again = Page.decode(page.encode())
        assert again.encode() == page.encode()
        assert again.hashes == page.hashes and again.kinds == page.kinds


def test_tiny_page_cache_evicts_and_stays_correct(open_store) -> None:
    """A cache far smaller than the tree: pages are evicted (deepest first) and reloaded."""
    small, big = open_store("small", cache_mb=1), open_store("big")
    assert small.cache.capacity < 400
    rng = random.Random(3)
    for h in range(1, 7):
        writes = {b"k%d" % rng.randrange(30_000): b"%d" % rng.randrange(10**6)
                  for _ in range(4000)}
        for store in (small, big):
            ov = store.overlay()
            for k, v in writes.items():
                ov.set("red", k, v)
            store.commit(ov, h)
        assert small.app_hash == big.app_hash
        assert small.cache.size <= small.cache.capacity
    assert min(small.cache.levels) == 0 and 0 in small.cache.levels  # the top stays

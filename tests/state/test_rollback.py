"""One height back: after ``state.rollback.rollback`` the store is the store of height h - 1
(app hash, roots, values, absent keys, proofs, history), committing the same block again
gives the same app hash, and only one height can be undone."""

from __future__ import annotations

from pathlib import Path

import pytest

from state.errors import StoreError
from state.proof import verify_proof
from state.rollback import rollback
from state.store import Store

from .conftest import SHARDS


def _block(store: Store, h: int) -> bytes:
    """Block h: new keys, updates of older ones, a delete, in several shards."""
    ov = store.overlay()
    for i in range(40):
        ov.set("red", f"k{h}-{i}".encode(), f"v{h}".encode())
        ov.set("green", f"shared-{i % 7}".encode(), f"g{h}-{i}".encode())
    if h > 1:
        ov.delete("red", f"k{h - 1}-3".encode())
        ov.set("blue", b"counter", str(h).encode())
    return store.commit(ov, h)


@pytest.mark.parametrize("options", [{"keep_recent": 3}, {"archive": True}])
def test_rollback_is_the_state_before_and_the_block_replays_to_the_same_hash(
        tmp_path: Path, options: dict) -> None:
    path = tmp_path / "state"
    store = Store.open(path, shards=SHARDS, **options)
    hashes = {h: _block(store, h) for h in range(1, 7)}
    want = {s: (store.get(s, b"counter", height=5), store.get(s, b"k5-3", height=5))
            for s in SHARDS}
    store.close()

    height, app_hash = rollback(path, shards=SHARDS, **options)
    assert (height, app_hash) == (5, hashes[5])

    store = Store.open(path, shards=SHARDS, **options)
    assert store.height == 5 and store.app_hash == hashes[5]
    assert {s: (store.get(s, b"counter"), store.get(s, b"k5-3")) for s in SHARDS} == want
    assert store.get("red", b"k6-0") is None and store.get("red", b"k5-3") == b"v5"
    assert [k for k, _ in store.iterate("red", prefix=b"k6-")] == []
    value, ops = store.prove("red", b"k5-3")
    verify_proof(ops, hashes[5], "red", b"k5-3", value)
    if not options.get("archive"):  # committing 6 pruned what height 3 needed
        assert store.earliest_height == 4
    assert store.get("green", b"shared-0", height=4) == b"g4-35"
    # The same block again: the same app hash; then on as before.
    assert _block(store, 6) == hashes[6]
    assert _block(store, 7) != hashes[6]
    store.close()


def test_only_one_height_and_never_an_empty_store(tmp_path: Path) -> None:
    path = tmp_path / "state"
    store = Store.open(path, shards=SHARDS)
    _block(store, 1)
    store.close()
    with pytest.raises(StoreError, match="no earlier height"):
        rollback(path, shards=SHARDS)
    store = Store.open(path, shards=SHARDS)
    _block(store, 2)
    _block(store, 3)
    store.close()
    assert rollback(path, shards=SHARDS)[0] == 2
    with pytest.raises(StoreError, match="only one height"):
        rollback(path, shards=SHARDS)
    store = Store.open(path, shards=SHARDS)  # the store is intact and goes on
    assert store.height == 2
    _block(store, 3)
    store.close()


def test_a_running_node_holds_the_store(tmp_path: Path) -> None:
    path = tmp_path / "state"
    store = Store.open(path, shards=SHARDS)
    _block(store, 1)
    _block(store, 2)
    try:
        with pytest.raises(StoreError):
            rollback(path, shards=SHARDS)
        assert store.height == 2
    finally:
        store.close()

"""Committed reads at kept heights, heights and bad input, reopening, pruning."""

from __future__ import annotations

import pytest

from state.errors import HeightError
from state.keys import STALE
from state.store import Store

from .conftest import SHARDS


def _commit(store: Store, height: int, writes: dict[tuple[str, bytes], bytes | None]) -> bytes:
    ov = store.overlay()
    for n, ((shard, key), value) in enumerate(writes.items()):
        if n % 2:  # read-modify-write, as the ledger does; the other half are blind writes
            ov.get(shard, key)
        if value is None:
            ov.delete(shard, key)
        else:
            ov.set(shard, key, value)
    return store.commit(ov, height)


def test_reads_and_iteration_at_kept_heights(open_store) -> None:
    store = open_store(keep_recent=4)
    history = []
    model: dict[bytes, bytes] = {}
    for h in range(1, 11):
        writes = {("blue", b"k%d" % (i % 7)): (None if (i + h) % 5 == 0 else b"%d-%d" % (h, i))
                  for i in range(h, h + 5)}
        _commit(store, h, writes)
        for (_, k), v in writes.items():
            if v is None:
                model.pop(k, None)
            else:
                model[k] = v
        history.append(dict(model))
    assert store.earliest_height == 7
    for h in range(7, 11):
        snap = history[h - 1]
        for i in range(7):
            k = b"k%d" % i
            assert store.get("blue", k, h) == snap.get(k)
        assert list(store.iterate("blue", height=h)) == sorted(snap.items())
        assert list(store.iterate("blue", b"k", start=b"k3", height=h)) == sorted(
            (k, v) for k, v in snap.items() if k >= b"k3")
    for bad in (6, 0, 11):
        with pytest.raises(HeightError):
            store.get("blue", b"k1", bad)
        with pytest.raises(HeightError):
            store.prove("blue", b"k1", bad)


def test_heights_must_follow_and_first_may_start_late(open_store) -> None:
    store = open_store()
    _commit(store, 5, {("red", b"a"): b"1"})  # genesis with initial_height 5
    assert store.height == 5 and store.earliest_height == 5
    with pytest.raises(HeightError, match="next height is 6"):
        _commit(store, 7, {})
    assert _commit(store, 6, {}) == store.app_hash  # an empty block keeps the hash
    with pytest.raises(TypeError):
        store.commit(store.overlay(), "7")  # type: ignore[arg-type]


def test_reopen_keeps_everything(open_store, tmp_path) -> None:
    store = open_store("s")
    for h in range(1, 4):
        _commit(store, h, {(s, b"key"): b"%s%d" % (s.encode(), h) for s in SHARDS})
    app_hash, roots = store.app_hash, store.shard_roots()
    store.close()
    again = Store.open(tmp_path / "s", shards=SHARDS)
    try:
        assert (again.height, again.app_hash, again.shard_roots()) == (3, app_hash, roots)
        assert again.get("amber", b"key") == b"amber3"
        assert again.get("amber", b"key", 2) == b"amber2"
    finally:
        again.close()


def test_bad_arguments_get_clear_errors(open_store, tmp_path) -> None:
    store = open_store("s")
    with pytest.raises(ValueError, match="unknown shard"):
        store.get("nope", b"k")
    with pytest.raises(TypeError, match="keys are bytes"):
        store.get("red", "k")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="keep_recent"):
        Store.open(tmp_path / "x", shards=SHARDS, keep_recent=0)
    from state.errors import StoreError

    with pytest.raises(StoreError, match="cannot open shard"):
        Store.open(tmp_path / "s", shards=SHARDS)  # already open: LevelDB's lock


def test_pruning_keeps_disk_flat_and_drops_stale_entries(open_store, monkeypatch) -> None:
    """A steady workload (the same 300 keys rewritten every block): once pruning has caught
    up, the number of stored entries stops growing; the emptied ranges get compacted."""
    import state.prune

    monkeypatch.setattr(state.prune, "COMPACT_EVERY", 10)
    store = open_store(keep_recent=3)
    counts = []
    for h in range(1, 41):
        _commit(store, h, {("red", b"acct%03d" % i): b"%d" % (h * i) for i in range(300)})
        counts.append(sum(1 for _ in store.dbs["red"].iterator(include_value=False)))
    assert counts[-1] == counts[20]  # flat: exactly as many entries as 20 blocks ago
    stale = sum(1 for _ in store.dbs["red"].iterator(prefix=STALE))
    assert stale <= 3  # only the stale lists of the kept window remain
    store.compactor.wait()
    assert store.compactor.done_to == 40 - 3 + 1
    assert store.get("red", b"acct007", 38) == b"%d" % (38 * 7)
    archive = open_store("archive", archive=True)
    for h in range(1, 11):
        _commit(archive, h, {("red", b"acct%03d" % i): b"%d" % (h * i) for i in range(300)})
    assert archive.get("red", b"acct007", 1) == b"7"

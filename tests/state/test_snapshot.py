"""Snapshots: byte-identical exports, verified import, bad chunks rejected on arrival."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import state.snapformat as snapformat
from state.snapshot import Restore
from state.store import Store

from .conftest import SHARDS, Stores


def _fill(store: Store, seed: int, reverse: bool) -> None:
    rng = random.Random(seed)
    for h in range(1, 4):
        writes = {(rng.choice(SHARDS), b"key%d" % rng.randrange(2500)):
                  (None if rng.randrange(10) == 0 else b"v%d" % rng.randrange(10**9))
                  for _ in range(1500)}
        items = sorted(writes.items(), reverse=reverse)
        ov = store.overlay()
        for (shard, key), value in items:
            if value is None:
                ov.delete(shard, key)
            else:
                ov.set(shard, key, value)
        store.commit(ov, h)


@pytest.fixture
def small_cuts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut the trees deep and chunk small so a few thousand keys make many chunks."""
    monkeypatch.setattr(snapformat, "TARGET_LEAVES", 8)
    monkeypatch.setattr(snapformat, "CHUNK_MAX", 4000)


def _chunks(d: Path, n: int) -> list[bytes]:
    return [(d / str(i)).read_bytes() for i in range(n)]


def test_export_is_byte_identical_and_restores(open_store, tmp_path, small_cuts) -> None:
    a, b = open_store("a"), open_store("b")
    _fill(a, 1, reverse=False)
    _fill(b, 1, reverse=True)
    ia, ib = a.export_snapshot(tmp_path / "ea"), b.export_snapshot(tmp_path / "eb")
    assert ia == ib and ia.chunks > 5
    assert _chunks(tmp_path / "ea", ia.chunks) == _chunks(tmp_path / "eb", ib.chunks)
    assert all(len(c) <= snapformat.CHUNK_MAX for c in _chunks(tmp_path / "ea", ia.chunks)[1:])

    restore = Restore(tmp_path / "c", shards=SHARDS)
    assert restore.offer(ia.height, ia.format, ia.chunks, ia.hash, ia.metadata, a.app_hash).ok
    for i, chunk in enumerate(_chunks(tmp_path / "ea", ia.chunks)):
        assert restore.apply_chunk(i, chunk).ok
    c = restore.finish()
    try:
        assert (c.height, c.app_hash, c.shard_roots()) == (a.height, a.app_hash, a.shard_roots())
        for shard in SHARDS:
            assert list(c.iterate(shard)) == list(a.iterate(shard))
            assert c.key_count(shard) == a.key_count(shard)
        # the restored node goes on in step
        for s in (a, c):
            ov = s.overlay()
            ov.set("red", b"after", b"restore")
            ov.delete("red", b"key1")
            s.commit(ov, 4)
        assert c.app_hash == a.app_hash
        assert c.export_snapshot(tmp_path / "ec").hash != ia.hash
    finally:
        c.close()


def test_bad_offers_and_chunks_are_rejected(open_store, tmp_path, small_cuts) -> None:
    a = open_store("a")
    _fill(a, 2, reverse=False)
    info = a.export_snapshot(tmp_path / "ea")
    chunks = _chunks(tmp_path / "ea", info.chunks)
    restore = Restore(tmp_path / "c", shards=SHARDS)
    assert not restore.offer(info.height, 2, info.chunks, info.hash, info.metadata,
                             a.app_hash).ok
    assert not restore.offer(info.height, 1, info.chunks, info.hash, info.metadata,
                             bytes(32)).ok
    assert restore.offer(info.height, 1, info.chunks, info.hash, info.metadata, a.app_hash).ok
    assert "chunk 0" in restore.apply_chunk(1, chunks[1]).reason
    bad = bytearray(chunks[0])
    bad[-40] ^= 1
    assert not restore.apply_chunk(0, bytes(bad)).ok
    assert restore.apply_chunk(0, chunks[0]).ok
    for i in range(1, info.chunks):
        for j in (5, len(chunks[i]) // 2, len(chunks[i]) - 1):  # a flipped byte anywhere
            bad = bytearray(chunks[i])
            bad[j] ^= 0x40
            assert not restore.apply_chunk(i, bytes(bad)).ok
        assert not restore.apply_chunk(i, chunks[i][:-3]).ok
        if i > 1:
            assert not restore.apply_chunk(i, chunks[i - 1]).ok  # right bytes, wrong place
        assert restore.apply_chunk(i, chunks[i]).ok
    restore.finish().close()


def test_manager_keeps_recent_snapshots(tmp_path) -> None:
    store = Store.open(tmp_path / "s", shards=SHARDS, snapshot_interval=2, snapshot_keep_recent=2)
    try:
        for h in range(1, 8):
            ov = store.overlay()
            ov.set("cyan", b"round", b"%d" % h)
            store.commit(ov, h)
            assert store.snapshots is not None
            store.snapshots.wait()
        snaps = store.snapshots.list_snapshots()
        assert [s.height for s in snaps] == [6, 4]
        assert store.snapshots.error is None
        chunk = store.snapshots.load_chunk(6, 1, 0)
        assert chunk is not None and store.snapshots.load_chunk(6, 1, 99) is None
        assert store.snapshots.load_chunk(2, 1, 0) is None
    finally:
        store.close()


@settings(max_examples=15, deadline=None)
@given(
    pairs=st.dictionaries(st.tuples(st.sampled_from(SHARDS), st.binary(max_size=6)),
                          st.binary(max_size=20), max_size=150),
    churn=st.lists(st.tuples(st.sampled_from(SHARDS), st.binary(max_size=6)), max_size=40),
)
def test_same_state_same_snapshot_whatever_the_history(pairs, churn) -> None:
    """One store writes the state in one block; the other gets there through extra keys it
    writes and deletes again, in another order. Exports are identical and restore."""
    old = snapformat.TARGET_LEAVES, snapformat.CHUNK_MAX
    snapformat.TARGET_LEAVES, snapformat.CHUNK_MAX = 4, 600
    try:
        with Stores() as stores:
            a, b = stores.open("a"), stores.open("b")
            ov = a.overlay()
            for (shard, key), value in pairs.items():
                ov.set(shard, key, value)
            a.commit(ov, 1)
            ov = b.overlay()
            for shard, key in churn:
                ov.set(shard, b"tmp" + key, b"x")
            for (shard, key), value in reversed(list(pairs.items())):
                ov.set(shard, key, value + b"old")
            b.commit(ov, 1)
            ov = b.overlay()
            for shard, key in churn:
                ov.delete(shard, b"tmp" + key)
            for (shard, key), value in pairs.items():
                ov.set(shard, key, value)
            b.commit(ov, 2)
            ov = a.overlay()
            a.commit(ov, 2)
            base = Path(stores._tmp.name)
            ia, ib = a.export_snapshot(base / "ea"), b.export_snapshot(base / "eb")
            assert ia == ib
            assert _chunks(base / "ea", ia.chunks) == _chunks(base / "eb", ib.chunks)
            restore = Restore(base / "c", shards=SHARDS)
            assert restore.offer(ia.height, ia.format, ia.chunks, ia.hash, ia.metadata,
                                 a.app_hash).ok
            for i, chunk in enumerate(_chunks(base / "ea", ia.chunks)):
                assert restore.apply_chunk(i, chunk).ok
            c = restore.finish()
            stores.opened.append(c)
            assert c.app_hash == a.app_hash == b.app_hash
    finally:
        snapformat.TARGET_LEAVES, snapformat.CHUNK_MAX = old


def _forgeries(chunk: bytes, shards: int) -> dict[str, bytes]:
    """A data chunk forged at every class of byte position (layout in state/snapformat.py:
    magic, shard, then per subtree index u32, count u32, per pair key length, key, value
    length, value)."""
    first_key_len = int.from_bytes(chunk[13:17], "big")
    key_at, vlen_at = 17, 17 + first_key_len
    value_at = vlen_at + 4
    def flip(i: int, bit: int = 1) -> bytes:
        b = bytearray(chunk)
        b[i] ^= bit
        return bytes(b)
    out = {f"names shard {s}": chunk[:4] + bytes([s]) + chunk[5:]
           for s in range(shards) if s != chunk[4]}
    out.update({f"names shard {s}, no subtrees": chunk[:4] + bytes([s])
                for s in range(shards + 1)})  # the one a restore once took, then failed on
    out.update({
        "magic": flip(0), "subtree index": flip(8), "pair count": flip(12),
        "key length": flip(16), "key": flip(key_at), "value length": flip(vlen_at + 3),
        "value": flip(value_at), "truncated": chunk[:-1], "extra bytes": chunk + b"\x00",
        "empty": b"",
    })
    return out


def test_forged_chunks_are_refused_at_every_byte_class(open_store, tmp_path,
                                                       small_cuts) -> None:
    a = open_store("a")
    _fill(a, 3, reverse=False)
    info = a.export_snapshot(tmp_path / "ea")
    chunks = _chunks(tmp_path / "ea", info.chunks)
    restore = Restore(tmp_path / "c", shards=SHARDS)
    assert restore.offer(info.height, 1, info.chunks, info.hash, info.metadata, a.app_hash).ok
    assert restore.apply_chunk(0, chunks[0]).ok
    for i in range(1, info.chunks):
        for what, forged in _forgeries(chunks[i], len(SHARDS)).items():
            verdict = restore.apply_chunk(i, forged)  # never raises
            assert not verdict.ok, f"chunk {i}: forged {what} accepted"
        assert restore.apply_chunk(i, chunks[i]).ok  # the honest peer's copy still applies
    c = restore.finish()
    try:
        assert c.app_hash == a.app_hash
    finally:
        c.close()

"""Overlays sharing committed reads see their own writes and reverts, never another's."""

from __future__ import annotations

from pathlib import Path

from app.modules import SHARDS
from app.readcache import CachedOverlay, CommittedReads
from state.store import Store


def test_cached_overlays(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s", shards=SHARDS)
    ov = store.overlay()
    ov.set("pt", b"k", b"v1")
    store.commit(ov, 1)
    reads = CommittedReads(store)
    a = CachedOverlay(store.overlay(), reads)
    b = CachedOverlay(store.overlay(), reads)
    assert a.get("pt", b"k") == b"v1" and a.get("pt", b"absent") is None
    a.set("pt", b"k", b"v2")
    assert a.get("pt", b"k") == b"v2"
    assert b.get("pt", b"k") == b"v1"  # b sees committed state, not a's write
    cp = a.checkpoint()
    a.set("pt", b"k", b"v3")
    a.delete("pt", b"other")
    a.revert(cp)
    assert a.get("pt", b"k") == b"v2" and a.get("pt", b"other") is None
    assert [k for k, _ in a.iterate("pt")] == [b"k"]
    store.commit(a.overlay, 2)
    reads.clear()
    c = CachedOverlay(store.overlay(), reads)
    assert c.get("pt", b"k") == b"v2"
    store.close()

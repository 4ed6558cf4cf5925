"""The block overlay: read-your-writes, journal, merged iteration, no disk writes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from state.errors import StaleOverlayError

from .conftest import Stores


def test_reads_see_writes_and_fall_through(open_store) -> None:
    store = open_store()
    ov = store.overlay()
    ov.set("red", b"a", b"1")
    store.commit(ov, 1)
    ov = store.overlay()
    assert ov.get("red", b"a") == b"1"
    ov.set("red", b"a", b"2")
    ov.delete("red", b"b")
    assert ov.get("red", b"a") == b"2"
    assert store.get("red", b"a") == b"1"  # committed state is untouched
    ov.delete("red", b"a")
    assert ov.get("red", b"a") is None


def test_journal_revert_and_release(open_store) -> None:
    store = open_store()
    ov = store.overlay()
    ov.set("green", b"keep", b"1")
    cp = ov.checkpoint()
    ov.set("green", b"keep", b"2")
    ov.set("green", b"new", b"x")
    inner = ov.checkpoint()
    ov.delete("green", b"keep")
    ov.release(inner)
    before = ov.app_hash()
    ov.revert(cp)
    assert ov.get("green", b"keep") == b"1"
    assert ov.get("green", b"new") is None
    assert ov.app_hash() != before
    assert list(ov.iterate("green")) == [(b"keep", b"1")]
    with pytest.raises(ValueError, match="not open"):
        ov.revert(cp)
    cp2 = ov.checkpoint()
    ov.set("green", b"tx2", b"y")
    ov.release(cp2)
    assert ov.get("green", b"tx2") == b"y"


def test_app_hash_is_repeatable_and_writes_nothing(open_store) -> None:
    store = open_store()
    size = store.disk_bytes()
    ov = store.overlay()
    for i in range(200):
        ov.set("blue", b"k%d" % i, b"v")
    first = ov.app_hash()
    assert ov.app_hash() == first and ov.shard_roots() == ov.shard_roots()
    ov.set("blue", b"k0", b"w")
    assert ov.app_hash() != first
    assert store.disk_bytes() == size and store.height == 0
    expected = ov.app_hash()
    assert store.commit(ov, 1) == expected == store.app_hash


def test_stale_overlay_cannot_commit(open_store) -> None:
    store = open_store()
    block, check = store.overlay(), store.overlay()
    block.set("amber", b"p", b"1")
    check.set("amber", b"q", b"2")
    store.commit(block, 1)
    assert check.get("amber", b"p") == b"1"  # check state still reads committed state
    with pytest.raises(StaleOverlayError):
        store.commit(check, 2)
    with pytest.raises(StaleOverlayError):
        check.app_hash()


def test_bad_input_is_rejected(open_store) -> None:
    store = open_store()
    ov = store.overlay()
    with pytest.raises(ValueError, match="unknown shard"):
        ov.set("bank", b"k", b"v")
    with pytest.raises(TypeError, match="keys are bytes"):
        ov.set("red", "k", b"v")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="values are bytes"):
        ov.set("red", b"k", 5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exceeds"):
        ov.set("red", b"k" * 5000, b"v")


ops = st.lists(
    st.tuples(st.sampled_from([b"a", b"ab", b"b", b"ba", b"c", b"\x00", b"a\x00"]),
              st.one_of(st.none(), st.binary(min_size=1, max_size=3))),
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(committed=ops, pending=ops, prefix=st.sampled_from([b"", b"a", b"b", b"\x00"]),
       start=st.one_of(st.none(), st.sampled_from([b"a", b"b", b"bb"])))
def test_iterate_merges_overlay_over_committed(committed, pending, prefix, start) -> None:
    with Stores() as stores:
        store = stores.open()
        model: dict[bytes, bytes] = {}
        ov = store.overlay()
        for k, v in committed:
            if v is None:
                ov.delete("red", k)
                model.pop(k, None)
            else:
                ov.set("red", k, v)
                model[k] = v
        store.commit(ov, 1)
        ov = store.overlay()
        for k, v in pending:
            if v is None:
                ov.delete("red", k)
                model.pop(k, None)
            else:
                ov.set("red", k, v)
                model[k] = v
        lo = prefix if start is None or start < prefix else start
        want = sorted((k, v) for k, v in model.items() if k.startswith(prefix) and k >= lo)
        assert list(ov.iterate("red", prefix, start=start)) == want

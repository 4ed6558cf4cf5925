"""The shard list is given by the application: checked, recorded at creation, enforced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from state.errors import StoreError
from state.shards import LIST_FILE
from state.snapshot import Restore
from state.store import Store

from .conftest import SHARDS


def _commit(store: Store, height: int) -> None:
    ov = store.overlay()
    for s in store.shards:
        ov.set(s, b"k", s.encode())
    store.commit(ov, height)


@pytest.mark.parametrize(
    ("shards", "match"),
    [
        ((), "at least one"),
        ([], "at least one"),
        ("abc", "sequence of names"),  # a string is a sequence of letters: refused
        (b"abc", "sequence of names"),
        (None, "sequence of names"),
        ({"a", "b"}, "sequence of names"),  # no order
        (("a", "b", "a"), "unique: a repeated"),
        (("a", "B"), "bad shard name 'B'"),
        (("a", ""), "bad shard name ''"),
        (("a", "1x"), "bad shard name '1x'"),
        (("a", "x-y"), "bad shard name 'x-y'"),
        (("a", "../up"), "bad shard name"),
        (("a", "café"), "bad shard name"),
        (("a", "x" * 33), "bad shard name"),
        (("a", 7), "bad shard name 7"),
        (("a", "snapshots"), "reserved"),
        (tuple(f"s{i}" for i in range(256)), "at most 255"),
    ],
)
def test_bad_shard_lists_are_refused(tmp_path: Path, shards: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Store.open(tmp_path / "s", shards=shards)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=match):
        Restore(tmp_path / "r", shards=shards)  # type: ignore[arg-type]
    assert not (tmp_path / "s").exists() or not any((tmp_path / "s").iterdir())


def test_shards_are_required(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="shards"):
        Store.open(tmp_path / "s")  # type: ignore[call-arg]


def test_good_names_open(open_store) -> None:
    store = open_store(shards=["a", "b_2", "x" * 32])
    assert store.shards == ("a", "b_2", "x" * 32)
    _commit(store, 1)
    assert store.get("b_2", b"k") == b"b_2"


def test_opening_with_another_list_fails_naming_both(tmp_path: Path) -> None:
    path = tmp_path / "s"
    store = Store.open(path, shards=("a", "b", "c"))
    _commit(store, 1)
    app_hash = store.app_hash
    store.close()
    assert json.loads((path / LIST_FILE).read_text()) == {"shards": ["a", "b", "c"]}
    for other in (("a", "b"), ("a", "b", "c", "d"), ("c", "b", "a"), ("a", "b", "x")):
        with pytest.raises(StoreError) as exc:
            Store.open(path, shards=other)
        msg = str(exc.value)
        assert "(a, b, c)" in msg and "(" + ", ".join(other) + ")" in msg, msg
    assert not (path / "x").exists() and not (path / "d").exists()  # nothing was created
    again = Store.open(path, shards=["a", "b", "c"])  # any sequence with the same names
    try:
        assert (again.height, again.app_hash) == (1, app_hash)
    finally:
        again.close()


def test_a_store_without_a_recorded_list_is_adopted(tmp_path: Path) -> None:
    """Stores made before the list was recorded have no list file: the list given first
    is recorded, unless the directory holds a shard the list does not name."""
    path = tmp_path / "s"
    store = Store.open(path, shards=SHARDS)
    _commit(store, 1)
    app_hash = store.app_hash
    store.close()
    (path / LIST_FILE).unlink()
    with pytest.raises(StoreError, match="holds shards amber, cyan that the list"):
        Store.open(path, shards=SHARDS[:3])
    assert not (path / LIST_FILE).exists()
    store = Store.open(path, shards=SHARDS)
    try:
        assert store.app_hash == app_hash
    finally:
        store.close()
    assert json.loads((path / LIST_FILE).read_text()) == {"shards": list(SHARDS)}


def test_a_damaged_list_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "s"
    Store.open(path, shards=SHARDS).close()
    (path / LIST_FILE).write_text('{"shards": ["ok", "Not ok"]}')
    with pytest.raises(StoreError, match="damaged"):
        Store.open(path, shards=SHARDS)
    (path / LIST_FILE).write_text("{")
    with pytest.raises(StoreError, match="damaged"):
        Store.open(path, shards=SHARDS)


def test_restore_records_the_list_and_refuses_another(tmp_path: Path) -> None:
    src = Store.open(tmp_path / "src", shards=("a", "b"))
    try:
        _commit(src, 1)
        info = src.export_snapshot(tmp_path / "snap")
        app_hash = src.app_hash
    finally:
        src.close()
    chunks = [(tmp_path / "snap" / str(i)).read_bytes() for i in range(info.chunks)]
    # a node with another shard list cannot take this snapshot: its roots do not add up
    other = Restore(tmp_path / "other", shards=("a", "b", "c"))
    assert "metadata" in other.offer(info.height, info.format, info.chunks, info.hash,
                                     info.metadata, app_hash).reason
    restore = Restore(tmp_path / "dst", shards=("a", "b"))
    assert restore.offer(info.height, info.format, info.chunks, info.hash, info.metadata,
                         app_hash).ok
    for i, chunk in enumerate(chunks):
        assert restore.apply_chunk(i, chunk).ok
    restore.finish().close()
    assert json.loads((tmp_path / "dst" / LIST_FILE).read_text()) == {"shards": ["a", "b"]}
    with pytest.raises(StoreError, match=r"created with shards \(a, b\)"):
        Store.open(tmp_path / "dst", shards=("b", "a"))

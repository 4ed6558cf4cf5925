"""The snapshot file of `fictra node snapshot export|import`: written from a stopped node's
store or one of its snapshots, read back into a state with the same app hash, and refused
(with a reason, changing nothing) when any byte is wrong; and the join command's choice
between state sync and block sync."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

import state.snapformat as snapformat
from app.modules import SHARDS
from app.node.bootstrap import export_file, import_file
from app.node.join import JoinError, parse_peers, plan
from app.node.snapfile import SnapFileError, read_header, unpack, verify
from state.store import Store
from tests.localnets import fictra


def _node(home: Path, n_keys: int = 300, blocks: int = 3) -> Path:
    (home / "config").mkdir(parents=True)
    (home / "config" / "genesis.json").write_text(json.dumps({"chain_id": "fictra-x"}))
    store = Store.open(home / "data" / "state", shards=SHARDS)
    for h in range(1, blocks + 1):
        ov = store.overlay()
        for i in range(n_keys):
            ov.set(SHARDS[i % len(SHARDS)], b"k%d" % i, b"v%d-%d" % (i, h))
        store.commit(ov, h)
    store.close()
    return home


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapformat, "TARGET_LEAVES", 8)
    monkeypatch.setattr(snapformat, "CHUNK_MAX", 2000)


def _app_hash(home: Path) -> str:
    store = Store.open(home / "data" / "state", shards=SHARDS)
    try:
        return store.app_hash.hex().upper()
    finally:
        store.close()


def test_export_latest_and_verify_roundtrip(tmp_path: Path, small_chunks: None) -> None:
    home = _node(tmp_path / "a")
    f = tmp_path / "s.fsnap"
    header = export_file(home, None, f)
    assert header.height == 3 and header.chunks > 3 and header.chain_id == "fictra-x"
    assert header.app_hash.hex().upper() == _app_hash(home)
    assert read_header(f) == header
    assert verify(f, tmp_path / "scratch") == header
    assert not (tmp_path / "scratch").exists()
    out = unpack(f, tmp_path / "snap" / "3")
    assert out == header and (tmp_path / "snap" / "3" / "info.json").exists()
    # the unpacked directory is the store's snapshot layout: a restore from it succeeds
    src = tmp_path / "snap" / "3"
    for i in range(header.chunks):
        assert (src / str(i)).is_file()


def test_export_of_a_height_neither_latest_nor_kept_is_refused(tmp_path: Path) -> None:
    home = _node(tmp_path / "a")
    with pytest.raises(SnapFileError, match="neither the latest committed"):
        export_file(home, 2, tmp_path / "x.fsnap")
    out = fictra("node", "snapshot", "export", "--home", str(home), "--height", "2", "--out",
                 str(tmp_path / "x.fsnap"), check=False)
    assert out.returncode == 2 and "kept: none" in out.stderr


@pytest.mark.parametrize("where", ["magic", "header", "chunk", "trailer", "truncated"])
def test_any_wrong_byte_is_refused(tmp_path: Path, small_chunks: None, where: str) -> None:
    home = _node(tmp_path / "a")
    f = tmp_path / "s.fsnap"
    export_file(home, None, f)
    raw = bytearray(f.read_bytes())
    if where == "magic":
        raw[0] ^= 1
    elif where == "header":
        raw[raw.index(b'"height": 3') + 10] = ord("4")
    elif where == "chunk":
        raw[len(raw) // 2] ^= 0x40
    elif where == "trailer":
        raw[-1] ^= 1
    else:
        del raw[-100:]
    bad = tmp_path / "bad.fsnap"
    bad.write_bytes(bytes(raw))
    with pytest.raises(SnapFileError):
        verify(bad, tmp_path / "scratch")
    assert not (tmp_path / "scratch").exists()


def test_a_forged_but_rehashed_file_fails_the_state_check(tmp_path: Path,
                                                         small_chunks: None) -> None:
    """A changed value with a recomputed trailer passes the file hash but not the rebuild."""
    home = _node(tmp_path / "a")
    f = tmp_path / "s.fsnap"
    export_file(home, None, f)
    raw = bytearray(f.read_bytes()[:-32])
    at = raw.index(b"v7-3")
    raw[at + 1] = ord("9")
    raw += hashlib.sha256(bytes(raw)).digest()
    bad = tmp_path / "bad.fsnap"
    bad.write_bytes(bytes(raw))
    with pytest.raises(SnapFileError, match="does not hash to the manifest|rejected"):
        verify(bad, tmp_path / "scratch")


def test_import_refuses_a_node_with_state_and_without_rpc_servers(tmp_path: Path) -> None:
    home = _node(tmp_path / "a")
    f = tmp_path / "s.fsnap"
    export_file(home, None, f)
    with pytest.raises(SnapFileError, match="already holds state at height 3"):
        import_file(home, f, ["127.0.0.1:1"])
    empty = tmp_path / "b"
    (empty / "config").mkdir(parents=True)
    shutil.copy(home / "config" / "genesis.json", empty / "config" / "genesis.json")
    (empty / "config" / "config.toml").write_text("[statesync]\nenable = false\n")
    with pytest.raises(SnapFileError, match="--rpc-servers is needed"):
        import_file(empty, f, None)
    assert not (empty / "snapshot-seed").exists()


def test_join_peers_and_plan_without_servers() -> None:
    good = "0123456789abcdef0123456789abcdef01234567@10.0.0.1:26656"
    assert parse_peers(f"{good}, {good}") == [good, good]
    for bad in ("", "abc@host:1", "0123456789abcdef0123456789abcdef01234567@host"):
        with pytest.raises(JoinError):
            parse_peers(bad)
    p = plan([])
    assert p.mode == "block sync" and p.trust is None
    unreachable = plan(["127.0.0.1:1"])
    assert unreachable.mode == "block sync" and "127.0.0.1:1" in unreachable.line

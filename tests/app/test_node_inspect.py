"""`fictra node apphash` and `fictra node diff` on stopped nodes' stores: the app hash at a
height with each shard's root, and the first keys where two states differ."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.modules import SHARDS
from app.node.inspect import InspectError, app_hash, diff
from state.store import Store
from tests.localnets import fictra


def _node(home: Path, blocks: list[dict[tuple[str, bytes], bytes]]) -> Path:
    store = Store.open(home / "data" / "state", shards=SHARDS)
    for h, writes in enumerate(blocks, start=1):
        ov = store.overlay()
        for (shard, key), value in writes.items():
            ov.set(shard, key, value)
        store.commit(ov, h)
    store.close()
    return home


BLOCKS = [{("pt", b"acc/a"): b"1", ("gov", b"params"): b"p"},
          {("pt", b"acc/b"): b"2", ("trade", b"pur/x"): b"open"}]


def test_app_hash_at_each_height_and_the_cli(tmp_path: Path) -> None:
    home = _node(tmp_path / "a", BLOCKS)
    one, two = app_hash(home, 1), app_hash(home, 2)
    assert one["app_hash"] != two["app_hash"] and set(one["shards"]) == set(SHARDS)
    assert one["shards"]["pt"] != two["shards"]["pt"]
    assert one["shards"]["oracle"] == two["shards"]["oracle"]
    out = fictra("node", "apphash", "--home", str(home), "--height", "1", "--json")
    assert out.returncode == 0 and json.loads(out.stdout) == one
    with pytest.raises(InspectError, match="not kept"):
        app_hash(home, 9)
    bad = fictra("node", "apphash", "--home", str(tmp_path / "nothing"), check=False)
    assert bad.returncode == 2 and "no node state" in bad.stderr


def test_diff_names_the_shard_and_the_first_differing_keys(tmp_path: Path) -> None:
    a = _node(tmp_path / "a", BLOCKS)
    other = [BLOCKS[0], {**BLOCKS[1], ("trade", b"pur/x"): b"settled",
                         ("trade", b"pur/y"): b"open"}]
    b = _node(tmp_path / "b", other)
    same = diff(a, b, 1)
    assert same["same"] and same["app_hash_a"] == same["app_hash_b"]
    d = diff(a, b, 2)
    assert not d["same"] and [s["shard"] for s in d["shards"]] == ["trade"]
    keys = d["shards"][0]["keys"]
    assert keys == [{"key": b"pur/x".hex(), "a": b"open".hex(), "b": b"settled".hex()},
                    {"key": b"pur/y".hex(), "a": None, "b": b"open".hex()}]
    out = fictra("node", "diff", str(a), str(b), "--height", "2", check=False)
    assert out.returncode == 1 and "shard trade differs" in out.stdout

"""SIGKILL at every step of a commit: after reopening every shard is at one height and the
app hash is the one computed before the kill, or the previous one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from state.keys import META_HEIGHT
from state.store import Store

from .crash_child import SHARDS, apply

CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parents[2]
KILL_AT = 3
# fault point -> the height the store must reopen at
POINTS = {"wal_partial": KILL_AT - 1, "wal_synced": KILL_AT,
          **{f"shard_{s}": KILL_AT for s in SHARDS}, "applied": KILL_AT, "done": KILL_AT}


def _run_child(path: Path, n: int, fault: str | None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FICTRA_STATE_FAULT", None)
    if fault:
        env["FICTRA_STATE_FAULT"] = fault
        env["FICTRA_STATE_FAULT_HEIGHT"] = str(KILL_AT)
    return subprocess.run([sys.executable, str(CHILD), str(path), str(n)], env=env,
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[int, bytes]:
    path = tmp_path_factory.mktemp("ref") / "state"
    assert _run_child(path, KILL_AT + 1, None).returncode == 0
    store = Store.open(path, shards=SHARDS)
    store.close()
    expected = path.with_name("state.expected")
    return {int(p.name): p.read_bytes() for p in expected.iterdir()}


@pytest.mark.parametrize("point", list(POINTS))
def test_sigkill_at_each_commit_step(tmp_path: Path, point: str, reference) -> None:
    path = tmp_path / "state"
    proc = _run_child(path, KILL_AT + 1, point)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    expected = path.with_name("state.expected")
    pre_kill = (expected / str(KILL_AT)).read_bytes()
    assert pre_kill == reference[KILL_AT]

    store = Store.open(path, shards=SHARDS)
    heights = {int.from_bytes(store.dbs[s].get(META_HEIGHT), "big") for s in SHARDS}
    assert heights == {store.height}
    assert store.height == POINTS[point]
    assert store.app_hash == reference[store.height]
    # the store goes on as if nothing happened
    while store.height < KILL_AT + 1:
        app_hash, ov = apply(store, store.height + 1)
        assert store.commit(ov, store.height + 1) == app_hash == reference[store.height]
    store.close()

"""Signature checks in worker processes answer exactly as ``app.crypto.verify`` in process,
for good, forged and malformed signatures, across frames; a worker that dies makes the
caller check in process (same answers), and the pool comes back later; workers end with
their node."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abci.proto import abci as pb
from app.crypto import Key, verify
from app.errors import Code, TxError
from app.params import UNIT
from app.tx import verifier as vmod
from app.tx.builder import send
from app.tx.cache import TxCache
from app.tx.verifier import VerifierPool, check_frame, encode_frame
from tests.app.chain import ALICE, BOB, CHAIN_ID, Chain

KEYS = [Key.derive(f"signer-{i}") for i in range(8)]


def _items(n: int, seed: int = 0) -> list[tuple[bytes, bytes, bytes]]:
    out = []
    for i in range(n):
        k = KEYS[(i + seed) % len(KEYS)]
        msg = bytes([(i * 7 + seed) % 256]) * (i % 300)  # the empty message included
        sig = k.sign(msg)
        kind = (i + seed) % 6
        if kind == 1:
            sig = bytes([sig[0] ^ 1]) + sig[1:]  # forged
        elif kind == 2:
            msg = msg + b"x"  # another message
        elif kind == 3:
            sig = sig[:63]  # too short
        elif kind == 4:
            out.append((k.public_key[:31], msg, sig))  # a short key
            continue
        out.append((k.public_key, msg, sig))
    return out


@pytest.fixture
def pool() -> VerifierPool:
    p = VerifierPool(2)
    yield p
    p.close()


def test_answers_match_verify_across_frames(pool: VerifierPool, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    monkeypatch.setattr(vmod, "CHUNK", 7)  # many frames per worker, several rounds
    items = _items(100)
    want = [verify(*it) for it in items]
    assert pool.verify(items) == want
    assert want.count(True) >= 30 and want.count(False) >= 60
    assert pool.verify([]) == []
    assert len(pool.pids()) == 2


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.binary(min_size=30, max_size=33), st.binary(max_size=200),
                          st.binary(min_size=62, max_size=65)), max_size=20))
def test_arbitrary_bytes_match_verify(items: list[tuple[bytes, bytes, bytes]]) -> None:
    p = _shared_pool()
    assert p.verify(items) == [verify(*it) for it in items]


_SHARED: list[VerifierPool] = []


def _shared_pool() -> VerifierPool:
    if not _SHARED:
        _SHARED.append(VerifierPool(1))
    return _SHARED[0]


def teardown_module() -> None:
    for p in _SHARED:
        p.close()


def test_a_frame_that_ends_inside_a_message_is_refused() -> None:
    frame = encode_frame(_items(3))
    body = frame[4:]
    assert check_frame(body) == bytes(verify(*it) for it in _items(3))
    with pytest.raises(ValueError, match="inside a message"):
        check_frame(body[:-1])


def test_a_dead_worker_means_checks_in_process_then_the_pool_returns(
        pool: VerifierPool, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
        ) -> None:
    items = _items(40, seed=3)
    want = [verify(*it) for it in items]
    assert pool.verify(items) == want
    dead = pool.pids()[0]
    os.kill(dead, signal.SIGKILL)
    os.waitpid(dead, 0)
    assert pool.verify(items) is None  # the caller checks in process
    assert "signature check workers failed" in caplog.text
    assert pool.pids() == []
    assert pool.verify(items) is None  # not made again at once
    monkeypatch.setattr(vmod, "RESPAWN_AFTER_S", 0.0)
    assert pool.verify(items) == want
    assert dead not in pool.pids() and len(pool.pids()) == 2


def test_a_busy_pool_lets_the_other_caller_check_in_process(pool: VerifierPool) -> None:
    with pool._lock:
        assert pool.verify(_items(4)) is None


def test_the_cache_gives_the_same_answers_with_a_broken_pool(tmp_path: Path) -> None:
    chain = Chain(tmp_path / "c")
    chain.finalize([])
    good = [chain.tx(ALICE, send(BOB.address, UNIT)) for _ in range(20)]
    forged = bytearray(good[4])
    forged[-1] ^= 1
    txs = [*good, bytes(forged)]
    for broken in (False, True):
        pool = VerifierPool(2)
        cache = TxCache(CHAIN_ID, verifier=pool)
        if broken:
            pool._failed_at = time.monotonic()  # as after a failure: no workers for a while
        cache.prefetch(txs)
        assert len(cache) == 20 and cache.verifications == 21
        assert (pool.pids() == []) if broken else len(pool.pids()) == 2
        for raw in good:
            assert cache.get(raw) is not None
        with pytest.raises(TxError) as e:
            cache.get(bytes(forged))
        assert e.value.code == Code.BAD_SIGNATURE
        cache.close()
        assert pool.pids() == []
    chain.app.close()


def test_an_app_with_workers_reaches_the_same_app_hash(tmp_path: Path) -> None:
    plain, pooled = Chain(tmp_path / "a"), Chain(tmp_path / "b", signature_workers=2)
    for c in (plain, pooled):
        c.finalize([])
    for _ in range(3):
        txs = [plain.tx(ALICE, send(BOB.address, UNIT)) for _ in range(30)]
        forged = bytearray(txs[-1])
        forged[-1] ^= 1
        offered = [*txs, bytes(forged)]
        for c in (plain, pooled):
            answers = c.app.check_tx_batch([pb.RequestCheckTx(tx=t) for t in offered])
            assert [a.code for a in answers] == [0] * 30 + [Code.BAD_SIGNATURE]
        a, b = plain.propose(offered), pooled.propose(offered)
        assert a[0] == b[0] == txs and a[1].app_hash == b[1].app_hash
    assert pooled.app.cache is not None and pooled.app.cache.verifier is not None
    assert len(pooled.app.cache.verifier.pids()) == 2
    for c in (plain, pooled):
        c.app.close()


def test_workers_end_when_their_node_dies(tmp_path: Path) -> None:
    out = tmp_path / "pids"
    script = (
        "import os, sys\n"
        "from app.tx.verifier import VerifierPool\n"
        "from tests.app.test_verifier import _items\n"
        "p = VerifierPool(2)\n"
        "assert p.verify(_items(10)) is not None\n"
        f"open({str(out)!r}, 'w').write(' '.join(map(str, p.pids())))\n"
        "os._exit(0)  # no close: as a killed node\n")
    subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(__file__).parents[2])
    pids = [int(p) for p in out.read_text().split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 30
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in pids)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_signature_workers_from_app_toml(tmp_path: Path) -> None:
    from app.node.config import signature_workers  # node configuration, not the state machine

    (tmp_path / "config").mkdir()
    app_toml = tmp_path / "config" / "app.toml"
    assert signature_workers(tmp_path) == min(os.cpu_count() or 1, 4)  # no app.toml
    for text, want in (("[node]\nsignature_workers = 0\n", 0),
                       ("[node]\nsignature_workers = 3\n", 3),
                       ("[node]\nsignature_workers = 64\n", 4)):
        app_toml.write_text(text)
        assert signature_workers(tmp_path) == want
    for bad in ("-1", '"two"', "true"):
        app_toml.write_text(f"[node]\nsignature_workers = {bad}\n")
        with pytest.raises(ValueError, match=r"\[node\] signature_workers must be a non-negative"):
            signature_workers(tmp_path)


def test_a_pool_needs_a_worker() -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        VerifierPool(0)

"""The ABCI contract: proposals, results, commit, restart, Info, malformed input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from abci.proto import abci as pb
from app.application import FictraApp
from app.errors import Code
from app.modules import SHARDS, router
from app.params import UNIT
from app.pb import tx_pb2
from app.tx.builder import send
from state.store import Store
from tests.app.chain import ALICE, BOB, CAROL, Chain, app_state

ACCEPT = pb.ResponseProcessProposal.ACCEPT
REJECT = pb.ResponseProcessProposal.REJECT


def test_info_reports_the_last_committed_block(chain: Chain) -> None:
    info = chain.app.info(pb.RequestInfo())
    assert info.last_block_height == 1 and info.last_block_app_hash == chain.store.app_hash
    chain.finalize([chain.tx(ALICE, send(BOB.address, UNIT))])
    info = chain.app.info(pb.RequestInfo())
    assert info.last_block_height == 2 and len(info.last_block_app_hash) == 32


def test_info_before_any_block_is_empty(tmp_path: Path) -> None:
    c = Chain(tmp_path / "s")
    info = c.app.info(pb.RequestInfo())
    assert info.last_block_height == 0 and info.last_block_app_hash == b""
    c.app.close()


def test_restart_continues_from_the_store(tmp_path: Path) -> None:
    c = Chain(tmp_path / "s")
    c.finalize([c.tx(ALICE, send(BOB.address, UNIT))])
    h, app_hash, bal = c.height, c.store.app_hash, c.balance(BOB)
    c.reopen()
    info = c.app.info(pb.RequestInfo())
    assert (info.last_block_height, info.last_block_app_hash) == (h, app_hash)
    assert c.balance(BOB) == bal
    # The chain id came back from the store: signatures still verify.
    raw = c.tx(ALICE, send(BOB.address, UNIT))
    assert c.check(raw).code == 0
    _, res = c.propose([raw])
    assert [r.code for r in res.tx_results] == [0]
    c.app.close()


def test_genesis_state_is_visible_to_checktx_before_the_first_block(tmp_path: Path) -> None:
    c = Chain(tmp_path / "s")
    raw = c.tx(ALICE, send(BOB.address, UNIT))
    assert c.check(raw).code == 0
    included, res = c.propose([raw])
    assert included == [raw] and [r.code for r in res.tx_results] == [0]
    c.app.close()


def test_first_block_can_be_proposed_in_several_rounds(tmp_path: Path) -> None:
    # Each attempt on the genesis overlay must start from genesis, not from the last attempt.
    c = Chain(tmp_path / "s")
    raw = c.tx(ALICE, send(BOB.address, UNIT))
    assert c.process([raw]) == ACCEPT
    assert c.process([raw]) == ACCEPT  # a second round with the same tx: nonce 0 again
    assert c.process([]) == ACCEPT
    res = c.finalize([raw])
    assert [r.code for r in res.tx_results] == [0]
    assert c.account(ALICE).nonce == 1
    c.app.close()


def test_prepare_skips_failing_txs_and_respects_max_bytes(chain: Chain) -> None:
    good = [chain.tx(ALICE, send(BOB.address, UNIT)) for _ in range(3)]
    broke = chain.tx(CAROL, send(BOB.address, 1_000 * UNIT))  # more than CAROL has
    replay = good[0]
    junk = b"not a tx"
    included, res = chain.propose([good[0], junk, broke, good[1], replay, good[2]])
    assert included == good and [r.code for r in res.tx_results] == [0, 0, 0]
    more = [chain.tx(ALICE, send(BOB.address, UNIT)) for _ in range(3)]
    size = sum(len(t) + 3 for t in more[:2])  # two fit (tag + 2-byte length each)
    included, _ = chain.propose(more, max_tx_bytes=size)
    assert included == more[:2]


def test_process_rejects_undecodable_badly_signed_and_unpayable_blocks(chain: Chain) -> None:
    good = chain.tx(ALICE, send(BOB.address, UNIT))
    tx = tx_pb2.Tx.FromString(good)
    forged = tx_pb2.Tx(body_bytes=tx.body_bytes, auth_info_bytes=tx.auth_info_bytes,
                       signature=bytes(64)).SerializeToString()
    assert chain.process([good]) == ACCEPT
    assert chain.process([good, b"\x0a\x05junk"]) == REJECT
    assert chain.process([forged]) == REJECT
    assert chain.process([good, good]) == REJECT  # the second is a nonce replay
    # A tx whose message fails is still a valid tx: it pays its fee.
    fails = chain.tx(CAROL, send(BOB.address, 1_000 * UNIT))
    assert chain.process([good, fails]) == ACCEPT


def test_finalize_gives_one_result_per_tx_whatever_the_bytes(chain: Chain) -> None:
    good = chain.tx(ALICE, send(BOB.address, UNIT))
    res = chain.finalize([b"", b"\xff" * 10, good, b"\x00" * 40_000])
    assert [r.code for r in res.tx_results] == [
        Code.TX_INVALID, Code.TX_MALFORMED, 0, Code.TX_TOO_LARGE]
    assert all(r.log for r in res.tx_results if r.code)
    # The node goes on.
    assert chain.check(chain.tx(ALICE, send(BOB.address, UNIT))).code == 0


def test_finalize_reuses_the_verified_proposal(chain: Chain) -> None:
    raw = chain.tx(ALICE, send(BOB.address, UNIT))
    chain.check(raw)
    verified = chain.app.cache.verifications
    included, res = chain.propose([raw])
    assert chain.app.cache.verifications == verified  # no second signature check
    assert [r.code for r in res.tx_results] == [0]


def test_recheck_after_commit_drops_txs_that_no_longer_pass(chain: Chain) -> None:
    a = chain.tx(ALICE, send(BOB.address, UNIT))
    b = chain.tx(ALICE, send(BOB.address, UNIT))
    assert chain.check(a).code == 0 and chain.check(b).code == 0
    chain.finalize([a])  # a committed; b still pending in the mempool
    verified = chain.app.cache.verifications
    assert chain.check(a, recheck=True).code == Code.NONCE_TOO_LOW
    assert chain.check(b, recheck=True).code == 0
    assert chain.app.cache.verifications == verified


def test_commit_without_finalize_and_out_of_order_blocks_raise(chain: Chain) -> None:
    with pytest.raises(RuntimeError, match="without FinalizeBlock"):
        chain.app.commit(pb.RequestCommit())
    with pytest.raises(RuntimeError, match="does not follow"):
        chain.app.finalize_block(pb.RequestFinalizeBlock(height=chain.height + 5))


def test_init_chain_with_a_bad_app_state_names_the_field(tmp_path: Path) -> None:
    doc = app_state()
    doc["accounts"][1]["balance"] = "-5"
    with pytest.raises(RuntimeError, match=r"app_state\.accounts\[1\]\.balance"):
        Chain(tmp_path / "s", doc)


def test_retain_height(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s", shards=SHARDS)
    app = FictraApp(store, keep_recent=2)
    app.init_chain(pb.RequestInitChain(chain_id="c", initial_height=1,
                                       app_state_bytes=json.dumps(app_state()).encode()))
    retains = []
    for h in range(1, 5):
        app.finalize_block(pb.RequestFinalizeBlock(height=h))
        retains.append(app.commit(pb.RequestCommit()).retain_height)
    assert retains == [0, 1, 2, 3]
    app.close()


def test_state_sync_from_a_snapshot(tmp_path: Path) -> None:

    src = Chain(tmp_path / "src")
    src.finalize([])
    src.app.close()
    src.store = Store.open(tmp_path / "src", snapshot_interval=3, shards=SHARDS)
    src.app = FictraApp(src.store)
    hashes, blocks = {}, {}
    while src.height < 4:
        txs = [src.tx(ALICE, send(BOB.address, UNIT))]
        blocks[src.height + 1] = (txs, src.time_s + 2)
        src.finalize(txs)
        hashes[src.height] = src.store.app_hash
    src.store.snapshots.wait()
    snaps = src.app.list_snapshots(pb.RequestListSnapshots()).snapshots
    assert [s.height for s in snaps] == [3]
    snap = snaps[0]
    chunks = [src.app.load_snapshot_chunk(pb.RequestLoadSnapshotChunk(
        height=3, format=snap.format, chunk=i)).chunk for i in range(snap.chunks)]
    assert all(chunks)

    dst = FictraApp(Store.open(tmp_path / "dst", shards=SHARDS))
    OS, AC = pb.ResponseOfferSnapshot, pb.ResponseApplySnapshotChunk
    bad = dst.offer_snapshot(pb.RequestOfferSnapshot(snapshot=snap, app_hash=bytes(32)))
    assert bad.result == OS.REJECT
    ok = dst.offer_snapshot(pb.RequestOfferSnapshot(snapshot=snap, app_hash=hashes[3]))
    assert ok.result == OS.ACCEPT
    corrupt = dst.apply_snapshot_chunk(pb.RequestApplySnapshotChunk(
        index=0, chunk=chunks[0][:-1] + b"\x00", sender="peer-x"))
    assert corrupt.result == AC.RETRY and list(corrupt.reject_senders) == ["peer-x"]
    for i, c in enumerate(chunks):
        res = dst.apply_snapshot_chunk(pb.RequestApplySnapshotChunk(index=i, chunk=c))
        assert res.result == AC.ACCEPT
    info = dst.info(pb.RequestInfo())
    assert (info.last_block_height, info.last_block_app_hash) == (3, hashes[3])
    # The restored node executes block 4 exactly as the source did.
    txs, t = blocks[4]
    res = dst.finalize_block(pb.RequestFinalizeBlock(
        txs=txs, height=4, time={"seconds": t}, proposer_address=b"\x01" * 20))
    assert [r.code for r in res.tx_results] == [0] and res.app_hash == hashes[4]
    dst.commit(pb.RequestCommit())
    dst.close()
    src.app.close()


def test_a_validator_that_missed_the_txs_verifies_the_proposal(tmp_path: Path) -> None:
    proposer, other = Chain(tmp_path / "p"), Chain(tmp_path / "o")
    for c in (proposer, other):
        c.finalize([])
    txs = [proposer.tx(ALICE, send(BOB.address, UNIT)) for _ in range(80)]
    for raw in txs:
        assert proposer.check(raw).code == 0
    included, res = proposer.propose(txs)
    assert other.app.cache is not None and len(other.app.cache) == 0
    assert other.process(included) == ACCEPT
    assert other.app.cache.verifications == len(txs)
    res2 = other.finalize(included)
    assert res2.app_hash == res.app_hash
    for c in (proposer, other):
        c.app.close()


def test_a_tx_whose_execution_raises_leaves_no_trace(chain: Chain,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in a handler (it writes, then raises): CheckTx answers INTERNAL and the check
    state is as before the tx (fee and nonce untouched), PrepareProposal leaves it out."""
    real = router.HANDLERS["send"]

    def broken(ctx, signer, msg):  # noqa: ANN001, ANN202
        real(ctx, signer, msg)
        if msg.amount == 13:
            raise RuntimeError("a bug")

    monkeypatch.setitem(router.HANDLERS, "send", broken)
    bad = chain.tx(ALICE, send(BOB.address, 13), nonce=0)
    assert chain.check(bad).code == Code.INTERNAL
    good = chain.tx(ALICE, send(BOB.address, 5), nonce=0)  # the same nonce: none was used
    assert chain.check(good).code == 0
    included, res = chain.propose([bad, good])
    assert included == [good] and res.tx_results[0].code == 0

"""Replays the recorded reference chain (``record.py``) through the real ABCI methods and
requires, at every height, the recorded CheckTx codes, proposal verdicts, prepared blocks,
results, events, validator updates and app hash.

Two instances replay it: one as a validator (CheckTx, PrepareProposal where the recording
prepared, ProcessProposal, FinalizeBlock, Commit) and one as a node catching up (FinalizeBlock
and Commit only), so the proposer's, the verifier's and the replaying node's paths are all held
to the same recorded results.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from abci.proto import abci as pb
from app.application import FictraApp
from app.modules import SHARDS
from state.store import Store
from tests.replay.codec import (
    FIXTURE,
    finalize_args,
    finalize_json,
    genesis_request,
    offered,
    prepare_args,
    process_args,
    txs,
)


@pytest.fixture(scope="module")
def recording() -> dict[str, Any]:
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


def _start(path: Path, rec: dict[str, Any]) -> FictraApp:
    app = FictraApp(Store.open(path, shards=SHARDS))
    vals = [(bytes.fromhex(k), p) for k, p in rec["validators"]]
    init = app.init_chain(genesis_request(rec["genesis"], vals))
    assert init.app_hash.hex() == rec["init_app_hash"]
    return app


def _expect(block: dict[str, Any], res: pb.ResponseFinalizeBlock) -> None:
    got = finalize_json(res)
    want = {k: block[k] for k in got}
    h = block["height"]
    for i, (g, w) in enumerate(zip(got["results"], want["results"], strict=True)):
        assert g == w, f"height {h}, tx {i}: result differs"
    assert got["events"] == want["events"], f"height {h}: block events differ"
    assert got["validator_updates"] == want["validator_updates"], f"height {h}: updates differ"
    assert got["app_hash"] == want["app_hash"], f"height {h}: app hash differs"


def test_recording_is_substantial(recording: dict[str, Any]) -> None:
    blocks = recording["blocks"]
    kinds = {e[0] for b in blocks for r in b["results"] for e in r["events"]}
    kinds |= {e[0] for b in blocks for e in b["events"]}
    assert len(blocks) >= 300
    assert {"transfer", "purchase", "attestation", "price", "proposal", "ft_issued",
            "ft_converted", "stake", "validator_set", "slash", "reward"} <= kinds
    reasons = {a[1] for b in blocks for e in b["events"] for a in e[1] if e[0] == "slash"
               and a[0] == "reason"}
    assert reasons == {"downtime", "double_sign"}
    statuses = {a[1] for b in blocks for e in b["events"] for a in e[1] if e[0] == "purchase"
                and a[0] == "status"}
    assert "expired" in statuses  # deadlines passed at the end of a block
    assert any(r["code"] not in (0,) for b in blocks for r in b["results"])
    assert any(b["rejected"] for b in blocks) and any(b["validator_updates"] for b in blocks)


def test_replay_as_validator(tmp_path: Path, recording: dict[str, Any]) -> None:
    app = _start(tmp_path / "v", recording)
    try:
        for block in recording["blocks"]:
            offer = offered(block)
            codes = [app.check_tx(pb.RequestCheckTx(tx=t)).code for t in offer]
            assert codes == block["check_codes"], f"height {block['height']}: CheckTx codes"
            if block["rejected"]:
                status = app.process_proposal(pb.RequestProcessProposal(
                    txs=offer, **process_args(block))).status
                assert status == pb.ResponseProcessProposal.REJECT
            if block["prepared"]:
                prep = app.prepare_proposal(pb.RequestPrepareProposal(
                    txs=offer, max_tx_bytes=1 << 22, **prepare_args(block)))
                assert list(prep.txs) == txs(block), f"height {block['height']}: prepared"
            status = app.process_proposal(pb.RequestProcessProposal(
                txs=txs(block), **process_args(block))).status
            assert status == pb.ResponseProcessProposal.ACCEPT
            _expect(block, app.finalize_block(pb.RequestFinalizeBlock(
                txs=txs(block), **finalize_args(block))))
            app.commit(pb.RequestCommit())
    finally:
        app.close()


def test_replay_as_catching_up_node(tmp_path: Path, recording: dict[str, Any]) -> None:
    app = _start(tmp_path / "f", recording)
    try:
        for block in recording["blocks"]:
            _expect(block, app.finalize_block(pb.RequestFinalizeBlock(
                txs=txs(block), **finalize_args(block))))
            app.commit(pb.RequestCommit())
    finally:
        app.close()

"""The recorded chain's JSON form: requests rebuilt from it, responses rendered into it."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from abci.proto import abci as pb
from abci.proto import crypto_keys

CHAIN_ID = "fictra-replay"
FIXTURE = Path(__file__).with_name("chain.json.gz")


def genesis_request(doc: dict[str, Any], validators: list[tuple[bytes, int]]
                    ) -> pb.RequestInitChain:
    return pb.RequestInitChain(
        chain_id=CHAIN_ID, initial_height=1, app_state_bytes=json.dumps(doc).encode(),
        validators=[pb.ValidatorUpdate(pub_key=crypto_keys.PublicKey(ed25519=k), power=p)
                    for k, p in validators])


def events_json(events: Any) -> list[Any]:
    return [[e.type, [[a.key, a.value, a.index] for a in e.attributes]] for e in events]


def result_json(r: Any) -> dict[str, Any]:
    return {"code": r.code, "log": r.log, "events": events_json(r.events)}


def finalize_json(res: pb.ResponseFinalizeBlock) -> dict[str, Any]:
    return {
        "app_hash": res.app_hash.hex(),
        "results": [result_json(r) for r in res.tx_results],
        "events": events_json(res.events),
        "validator_updates": [[u.pub_key.ed25519.hex(), u.power]
                              for u in res.validator_updates],
    }


def block_record(header: dict[str, Any], offered: list[bytes], txs: list[bytes],
                 checks: list[int], prepared: bool, rejected: bool,
                 res: pb.ResponseFinalizeBlock, votes: list[list[Any]],
                 misbehavior: list[list[Any]]) -> dict[str, Any]:
    """``offered``: the txs CheckTx saw (answered ``checks``) and the first proposal held;
    ``rejected``: ProcessProposal refused that; ``prepared``: ``txs`` came from
    PrepareProposal over ``offered``."""
    def b64(items: list[bytes]) -> list[str]:
        return [base64.b64encode(t).decode() for t in items]
    return {
        "height": header["height"], "time": header["time"]["seconds"],
        "proposer": header["proposer_address"].hex(),
        "offered": b64(offered) if offered != txs else None, "txs": b64(txs),
        "check_codes": checks, "prepared": prepared, "rejected": rejected,
        "votes": votes, "misbehavior": misbehavior,
        **finalize_json(res),
    }


def header(block: dict[str, Any]) -> dict[str, Any]:
    return {"height": block["height"], "time": {"seconds": block["time"]},
            "proposer_address": bytes.fromhex(block["proposer"]),
            "misbehavior": [pb.Misbehavior(type=t, validator=pb.Validator(
                address=bytes.fromhex(a), power=1), height=h)
                for t, a, h in block.get("misbehavior", [])]}


def _vote(v: list[Any]) -> pb.VoteInfo:
    return pb.VoteInfo(validator=pb.Validator(address=bytes.fromhex(v[0]), power=v[1]),
                       block_id_flag=v[2])


def prepare_args(block: dict[str, Any]) -> dict[str, Any]:
    votes = [pb.ExtendedVoteInfo(validator=pb.Validator(address=bytes.fromhex(v[0]), power=v[1]),
                                 block_id_flag=v[2]) for v in block.get("votes", [])]
    return {**header(block), "local_last_commit": pb.ExtendedCommitInfo(votes=votes)}


def process_args(block: dict[str, Any]) -> dict[str, Any]:
    commit = pb.CommitInfo(votes=[_vote(v) for v in block.get("votes", [])])
    return {**header(block), "proposed_last_commit": commit}


def finalize_args(block: dict[str, Any]) -> dict[str, Any]:
    commit = pb.CommitInfo(votes=[_vote(v) for v in block.get("votes", [])])
    return {**header(block), "decided_last_commit": commit}


def txs(block: dict[str, Any]) -> list[bytes]:
    return [base64.b64decode(t) for t in block["txs"]]


def offered(block: dict[str, Any]) -> list[bytes]:
    """The txs CheckTx saw and the first proposal held (the block's own txs if the same)."""
    if block["offered"] is None:
        return txs(block)
    return [base64.b64decode(t) for t in block["offered"]]

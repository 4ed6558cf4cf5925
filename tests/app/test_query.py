"""Query paths at the latest and past heights, with proofs checked against the app hash."""

from __future__ import annotations

import json

import pytest

from app.errors import Code
from app.modules import gov, pt, stake
from app.params import UNIT
from app.pb import state_pb2
from app.tx.builder import mint, propose, send
from state.proof import ProofError, verify_proof
from tests.app.chain import ALICE, BOB, COUNCIL, DAVE, Chain


def _app_hash_at(chain: Chain, height: int) -> bytes:
    """The app hash committed at ``height`` (what the header at height + 1 carries)."""
    return chain.store_hashes[height]


@pytest.fixture
def history(chain: Chain) -> Chain:
    chain.store_hashes = {chain.height: chain.store.app_hash}  # type: ignore[attr-defined]
    for _ in range(3):
        chain.finalize([chain.tx(ALICE, send(BOB.address, UNIT))])
        chain.store_hashes[chain.height] = chain.store.app_hash  # type: ignore[attr-defined]
    return chain


def test_account_query_with_proof_at_each_height(history: Chain) -> None:
    for h in range(1, history.height + 1):
        res = history.query(f"/account/{BOB.bech32}", height=h, prove=True)
        assert res.code == 0 and res.height == h
        acct = state_pb2.Account.FromString(res.value)
        assert json.loads(res.info)["balance"] == str(acct.balance)
        verify_proof(res.proof_ops, _app_hash_at(history, h), pt.SHARD, res.key, res.value)
        with pytest.raises(ProofError):
            verify_proof(res.proof_ops, _app_hash_at(history, h), pt.SHARD, res.key,
                         state_pb2.Account(balance=acct.balance + 1).SerializeToString())
    b1 = history.account(BOB, height=1).balance
    assert history.balance(BOB) == b1 + 3 * UNIT


def test_unknown_account_is_zero_with_an_absence_proof(history: Chain) -> None:
    res = history.query(f"/account/{DAVE.bech32}", prove=True)
    assert res.code == 0 and res.value == b""
    assert json.loads(res.info)["balance"] == "0"
    verify_proof(res.proof_ops, _app_hash_at(history, history.height), pt.SHARD, res.key, None)


def test_params_supply_council_validators(history: Chain) -> None:
    for path, shard in (("/params", gov.SHARD), ("/supply", pt.SHARD),
                        ("/council", gov.SHARD), ("/validators", stake.SHARD)):
        res = history.query(path, prove=True)
        assert res.code == 0 and res.value, path
        verify_proof(res.proof_ops, _app_hash_at(history, history.height), shard, res.key,
                     res.value)
    council = json.loads(history.query("/council").info)
    assert council["threshold"] == 2
    assert sorted(council["members"]) == sorted(k.bech32 for k in COUNCIL)


def test_proposal_query(history: Chain) -> None:
    history.finalize([history.tx(COUNCIL[0], propose(mint(UNIT), "more"))])
    res = history.query("/proposal/1", prove=True)
    p = json.loads(res.info)
    assert res.code == 0 and p["status"] == "pending" and p["summary"] == "more"
    assert p["action"] == {"type": "mint", "amount": str(UNIT)}
    missing = history.query("/proposal/2")
    assert missing.code == Code.QUERY_NOT_FOUND


def test_raw_store_query_matches_typed_query(history: Chain) -> None:
    typed = history.query(f"/account/{ALICE.bech32}")
    raw = history.query(f"/store/pt/{pt.account_key(ALICE.address).hex()}", prove=True)
    assert raw.code == 0 and raw.value == typed.value
    verify_proof(raw.proof_ops, _app_hash_at(history, history.height), "pt", raw.key, raw.value)


@pytest.mark.parametrize(
    ("path", "height", "code"),
    [
        ("/nope", 0, Code.QUERY_BAD_PATH),
        ("", 0, Code.QUERY_BAD_PATH),
        ("/account/not-an-address", 0, Code.QUERY_BAD_PATH),
        ("/account", 0, Code.QUERY_BAD_PATH),
        ("/proposal/abc", 0, Code.QUERY_BAD_PATH),
        ("/proposal/99999999999999999999", 0, Code.QUERY_BAD_PATH),  # 20 digits, > 2^64
        ("/proposal/18446744073709551616", 0, Code.QUERY_BAD_PATH),
        ("/store/pt/zz", 0, Code.QUERY_BAD_PATH),
        ("/store/nope/00", 0, Code.QUERY_BAD_PATH),
        ("/params", 99, Code.QUERY_BAD_HEIGHT),
        ("/params", -1, Code.QUERY_BAD_HEIGHT),
    ],
)
def test_bad_queries_get_codes(history: Chain, path: str, height: int, code: Code) -> None:
    res = history.query(path, height=height)
    assert res.code == code, res.log
    assert res.log

"""Council governance: proposals, votes, thresholds, expiry and every action."""

from __future__ import annotations

import json

from abci.proto import abci as pb
from app.errors import Code
from app.params import MAX_SUPPLY, UNIT, default_params
from app.pb import tx_pb2
from app.tx.builder import (
    burn,
    freeze,
    jail_validator,
    mint,
    propose,
    register_entity,
    send,
    unfreeze,
    update_entity,
    update_params,
    vote,
)
from tests.app.chain import ALICE, BOB, CAROL, COUNCIL, DAVE, Chain


def _codes(res: pb.ResponseFinalizeBlock) -> list[int]:
    return [r.code for r in res.tx_results]


def _events(res: pb.ResponseFinalizeBlock, kind: str) -> list[dict[str, str]]:
    out = [e for r in res.tx_results for e in r.events if e.type == kind]
    out += [e for e in res.events if e.type == kind]
    return [{a.key: a.value for a in e.attributes} for e in out]


def _proposal(chain: Chain, pid: int) -> dict:
    res = chain.query(f"/proposal/{pid}")
    assert res.code == 0, res.log
    return json.loads(res.info)


def enact(chain: Chain, action: tx_pb2.Action) -> pb.ResponseFinalizeBlock:
    """Propose (member 0, counts as yes) and vote yes (member 1): threshold 2 is reached."""
    res1 = chain.finalize([chain.tx(COUNCIL[0], propose(action))])
    assert _codes(res1) == [0], res1.tx_results[0].log
    pid = int(_events(res1, "proposal")[0]["id"])
    res2 = chain.finalize([chain.tx(COUNCIL[1], vote(pid, True))])
    assert _codes(res2) == [0], res2.tx_results[0].log
    return res2


def test_non_member_cannot_propose_or_vote(chain: Chain) -> None:
    res = chain.check(chain.tx(ALICE, propose(mint(UNIT))))
    assert res.code == Code.NOT_COUNCIL_MEMBER
    chain.finalize([chain.tx(COUNCIL[0], propose(mint(UNIT)))])
    res = chain.finalize([chain.tx(ALICE, vote(1, True), nonce=0)])
    assert _codes(res) == [Code.NOT_COUNCIL_MEMBER]
    assert _proposal(chain, 1)["yes"] == [COUNCIL[0].bech32]


def test_action_runs_in_the_block_reaching_the_threshold(chain: Chain) -> None:
    s0 = chain.supply()
    res = chain.finalize([chain.tx(COUNCIL[0], propose(mint(1_000 * UNIT), "top up"))])
    assert _events(res, "proposal")[0]["status"] == "pending"
    assert chain.supply()["total"] == s0["total"]
    mid = chain.supply()
    vote_tx = chain.tx(COUNCIL[1], vote(1, True))
    res = chain.finalize([vote_tx])
    assert _events(res, "proposal")[-1] == {"id": "1", "action": "mint", "status": "passed"}
    s1 = chain.supply()
    assert int(s1["total"]) == int(s0["total"]) + 1_000 * UNIT
    fee = 1_000 + 10 * len(vote_tx)
    assert int(s1["treasury"]) == int(mid["treasury"]) + 1_000 * UNIT + fee
    p = _proposal(chain, 1)
    assert p["status"] == "passed" and p["final_height"] == str(chain.height)
    # A closed proposal takes no more votes.
    res = chain.finalize([chain.tx(COUNCIL[2], vote(1, True))])
    assert _codes(res) == [Code.PROPOSAL_CLOSED]


def test_double_vote_and_unknown_proposal(chain: Chain) -> None:
    chain.finalize([chain.tx(COUNCIL[0], propose(mint(UNIT)))])
    res = chain.finalize([chain.tx(COUNCIL[0], vote(1, True)), chain.tx(COUNCIL[1], vote(9, True))])
    assert _codes(res) == [Code.ALREADY_VOTED, Code.PROPOSAL_NOT_FOUND]


def test_no_votes_reject_when_threshold_is_out_of_reach(chain: Chain) -> None:
    chain.finalize([chain.tx(COUNCIL[0], propose(mint(UNIT)))])
    res = chain.finalize([chain.tx(COUNCIL[1], vote(1, False))])
    assert _events(res, "proposal") == []  # 1 yes, 1 no of 3: 2 yes still possible
    res = chain.finalize([chain.tx(COUNCIL[2], vote(1, False))])
    assert _events(res, "proposal")[-1]["status"] == "rejected"


def test_expiry(chain: Chain) -> None:
    res = chain.finalize([chain.tx(COUNCIL[0], propose(mint(UNIT)))])
    expiry = int(_proposal(chain, 1)["expiry_height"])
    assert expiry == chain.height + 5  # proposal_expiry_blocks in the test genesis
    while chain.height < expiry - 1:
        res = chain.finalize([])
    res = chain.finalize([])  # block `expiry`: the proposal expires at its end
    assert _events(res, "proposal") == [{"id": "1", "action": "mint", "status": "expired"}]
    vote_tx = chain.tx(COUNCIL[1], vote(1, True))
    assert chain.check(vote_tx).code == Code.PROPOSAL_EXPIRED
    res = chain.finalize([vote_tx])
    assert _codes(res) == [Code.PROPOSAL_EXPIRED]
    assert _proposal(chain, 1)["status"] == "expired"


def test_failed_action_marks_the_proposal_failed_and_changes_nothing(chain: Chain) -> None:
    s0 = chain.supply()
    res = enact(chain, burn(int(s0["treasury"]) + UNIT))  # fees add far less than 1 PT
    assert _events(res, "proposal")[-1]["status"] == "failed"
    assert _events(res, "supply") == []
    p = _proposal(chain, 1)
    assert p["status"] == "failed" and str(int(Code.INSUFFICIENT_TREASURY)) in p["result"]
    assert chain.supply()["total"] == s0["total"]
    res = enact(chain, mint(MAX_SUPPLY))
    assert _events(res, "proposal")[-1]["status"] == "failed"
    assert "code 21" in _proposal(chain, 2)["result"]  # AMOUNT_OVERFLOW


def test_burn(chain: Chain) -> None:
    s0 = chain.supply()
    enact(chain, burn(500 * UNIT))
    s1 = chain.supply()
    assert int(s1["total"]) == int(s0["total"]) - 500 * UNIT
    assert int(s1["treasury"]) < int(s0["treasury"])


def test_register_and_update_entity(chain: Chain) -> None:
    e = register_entity(DAVE.address, tx_pb2.KYC_TIER_ENHANCED, "BR", 1 | 8)
    res = enact(chain, e)
    ev = _events(res, "entity")[0]
    assert ev["address"] == DAVE.bech32 and ev["change"] == "register"
    assert ev["tier"] == "enhanced" and ev["roles"] == "trader,sovereign"
    acct = chain.account(DAVE)
    assert (acct.tier, acct.jurisdiction, acct.roles) == (tx_pb2.KYC_TIER_ENHANCED, "BR", 9)
    # Registering again fails; updating works.
    res = enact(chain, e)
    assert "code 45" in _proposal(chain, 2)["result"]
    enact(chain, update_entity(DAVE.address, tx_pb2.KYC_TIER_SOVEREIGN, "BR", 8))
    assert chain.account(DAVE).tier == tx_pb2.KYC_TIER_SOVEREIGN
    enact(chain, update_entity(CAROL.address, tx_pb2.KYC_TIER_BASIC, "FR", 1))
    assert "code 46" in _proposal(chain, 4)["result"]


def test_bad_actions_are_refused_before_a_proposal_exists(chain: Chain) -> None:
    bad = [
        register_entity(DAVE.address, tx_pb2.KYC_TIER_BASIC, "XX", 1),  # not ISO 3166
        register_entity(DAVE.address, tx_pb2.KYC_TIER_NONE, "FR", 1),
        register_entity(DAVE.address, tx_pb2.KYC_TIER_BASIC, "FR", 64),  # unknown role bit
        jail_validator(b"short"),
        mint(0),
        tx_pb2.Action(),
    ]
    for i, action in enumerate(bad):
        res = chain.check(chain.tx(COUNCIL[0], propose(action), nonce=0))
        assert res.code == Code.TX_INVALID, (i, res.log)
    p = default_params()
    p.tier_limits.append(5)
    res = chain.check(chain.tx(COUNCIL[0], propose(update_params(p)), nonce=0))
    assert res.code == Code.TX_INVALID and "tier_limits" in res.log


def test_freeze_blocks_sending_and_receiving_until_unfrozen(chain: Chain) -> None:
    enact(chain, freeze(BOB.address))
    assert chain.account(BOB).frozen
    out = chain.tx(BOB, send(ALICE.address, UNIT))
    assert chain.check(out).code == Code.SENDER_FROZEN
    res = chain.finalize([out])
    assert _codes(res) == [Code.SENDER_FROZEN]
    chain.nonces[BOB.address] = 0
    b0 = chain.balance(BOB)
    into = chain.tx(ALICE, send(BOB.address, UNIT))
    assert chain.check(into).code == Code.RECIPIENT_FROZEN
    res = chain.finalize([into])
    assert _codes(res) == [Code.RECIPIENT_FROZEN] and chain.balance(BOB) == b0
    enact(chain, unfreeze(BOB.address))
    _, res = chain.propose([chain.tx(BOB, send(ALICE.address, UNIT)),
                            chain.tx(ALICE, send(BOB.address, UNIT))])
    assert _codes(res) == [0, 0]


def test_params_update_applies_to_later_txs(chain: Chain) -> None:
    p = default_params()
    p.base_fee = 50_000
    p.fee_per_byte = 10
    p.blocked_jurisdictions.append("SG")
    enact(chain, update_params(p))
    assert json.loads(chain.query("/params").info)["base_fee"] == "50000"
    low = chain.tx(ALICE, send(CAROL.address, UNIT))  # signed with the old minimum fee
    assert chain.check(low).code == Code.FEE_TOO_LOW
    # BOB is in SG: blocked both ways.
    to_bob = chain.tx(ALICE, send(BOB.address, UNIT), nonce=0, fee=100_000)
    assert chain.check(to_bob).code == Code.JURISDICTION_BLOCKED

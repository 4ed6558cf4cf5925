"""An in-process chain with staking: operators at genesis, blocks carrying the previous
block's votes and evidence, and the staking books checked against the PT pools."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from abci.proto import abci as pb
from app.crypto import Key, consensus_address
from app.modules import pt, stake
from app.modules.stake import records
from app.modules.stake.bonds import pending
from app.params import UNIT
from app.pb import state_pb2
from tests.app.chain import ALICE, BOB, COUNCIL, Chain, app_state

OPERATORS = [Key.derive(f"operator-{i}") for i in range(4)]
CONSENSUS = [Key.derive(f"consensus-{i}") for i in range(4)]
SELF_BOND = 1_000 * UNIT
STAKE_PARAMS = {
    "epoch_blocks": 5, "primary_slots": 2, "secondary_slots": 1, "unbonding_blocks": 10,
    "signed_window": 10, "max_missed_blocks": 4, "jail_blocks": 10,
    "community_share_bps": 1_000, "secondary_share_bps": 1_000,
    "downtime_slash_bps": 100, "double_sign_slash_bps": 500, "min_self_bond": str(UNIT),
}


def stake_state(n: int = 3, bonds: list[int] | None = None) -> dict[str, Any]:
    """Operators 0..n-1 with self-bonds (default equal), commission 10 %."""
    bonds = bonds or [SELF_BOND] * n
    doc = app_state()
    doc["params"].update(STAKE_PARAMS)
    for key in OPERATORS:
        doc["accounts"].append({"address": key.bech32, "balance": str(10_000 * UNIT)})
        doc["entities"].append({"address": key.bech32, "tier": "corporate",
                                "jurisdiction": "CH", "roles": ["validator"]})
    doc["stake"] = {"operators": [
        {"address": OPERATORS[i].bech32,
         "pub_key": base64.b64encode(CONSENSUS[i].public_key).decode(),
         "moniker": f"op{i}", "commission_bps": 1_000, "max_change_bps": 100,
         "self_bond": str(bonds[i])} for i in range(n)]}
    return doc


class StakeChain(Chain):
    def __init__(self, path: Path, state: dict[str, Any] | None = None) -> None:
        super().__init__(path, state or stake_state())
        self.evidence: list[pb.Misbehavior] = []
        self.absent: set[bytes] = set()  # consensus keys that miss the next blocks

    def votes(self) -> pb.CommitInfo:
        """The last commit: every current validator, signed unless in ``absent``."""
        vals = records.get_validators(self.store)
        return pb.CommitInfo(votes=[
            pb.VoteInfo(validator=pb.Validator(address=consensus_address(k), power=p),
                        block_id_flag=1 if k in self.absent else 2)
            for k, p in sorted(vals.items())])

    def finalize(self, txs: list[bytes]) -> pb.ResponseFinalizeBlock:
        req = pb.RequestFinalizeBlock(txs=txs, decided_last_commit=self.votes(),
                                      misbehavior=self.evidence, **self._header())
        self.evidence = []
        res = self.app.finalize_block(req)
        self.app.commit(pb.RequestCommit())
        check_books(self)
        return res

    def double_sign(self, key: Key, height: int) -> None:
        self.evidence.append(pb.Misbehavior(
            type=pb.MisbehaviorType.DUPLICATE_VOTE, height=height,
            validator=pb.Validator(address=consensus_address(key.public_key), power=1)))

    def to_epoch(self) -> pb.ResponseFinalizeBlock:
        """Empty blocks up to and including the next epoch's end."""
        res = self.finalize([])
        while self.height % 5:
            res = self.finalize([])
        return res

    def operator(self, i: int) -> state_pb2.Operator:
        op = records.get_operator(self.store, OPERATORS[i].address)
        assert op is not None
        return op

    def cometbft_set(self) -> dict[bytes, int]:
        return records.get_validators(self.store)


def check_books(chain: Chain) -> None:
    """Supply = every balance; each staking pool = its records; shares add up; rewards owed
    never exceed what the pool holds for them."""
    store = chain.store
    balances = {k[len(pt.ACCOUNT_PREFIX):]: state_pb2.Account.FromString(v).balance
                for k, v in store.iterate(pt.SHARD, pt.ACCOUNT_PREFIX)}
    assert sum(balances.values()) == pt.get_supply(store)
    ops = list(records.all_operators(store))
    assert balances.get(pt.BONDED, 0) == sum(op.tokens for op in ops)
    ubd = [state_pb2.Unbonding.FromString(v)
           for _, v in store.iterate(stake.SHARD, records.UNBONDING_PREFIX)]
    assert balances.get(pt.UNBONDING, 0) == sum(u.balance for u in ubd)
    pool = records.get_pool(store)
    assert balances.get(pt.REWARDS, 0) == sum(op.outstanding + op.commission for op in ops) \
        + pool.secondary_rewards
    by_op: dict[bytes, list[state_pb2.Delegation]] = {}
    for k, v in store.iterate(stake.SHARD, records.DELEGATION_PREFIX):
        by_op.setdefault(k[-20:], []).append(state_pb2.Delegation.FromString(v))
    for op in ops:
        dels = by_op.get(op.address, [])
        assert sum(d.shares for d in dels) == op.shares
        owed = sum(pending(op, d) for d in dels)
        assert owed <= op.outstanding  # what remains is rounding, swept when shares reach 0
        if not op.shares:
            assert op.tokens == 0 and op.outstanding == 0


__all__ = ["ALICE", "BOB", "COUNCIL", "CONSENSUS", "OPERATORS", "SELF_BOND", "StakeChain",
           "check_books", "stake_state"]

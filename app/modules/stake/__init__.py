"""Delegated proof of stake: validator operators, delegations by shares, unbonding and
redelegation, rewards from fees, downtime and double-sign slashing, and the election of
CometBFT's validator set (primaries) and the secondaries at every epoch's end.

The module owns shard ``stake`` (``records`` lists its keys) and moves PT only through the PT
keeper, between its three pools: ``pt.BONDED`` (equal to the operators' tokens),
``pt.UNBONDING`` (the unbonding entries' balances) and ``pt.REWARDS`` (rewards owed to
delegators, operators' commission and the secondaries' pool). ``bonds`` is the share and
reward arithmetic, ``sets`` the tiers and the election, ``slashing`` downtime and evidence,
``blocks`` the end of block, ``handlers`` the messages and the council's override.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.context import KV
from app.modules.stake.blocks import end_block
from app.modules.stake.handlers import ACTIONS, HANDLERS, VALIDATORS
from app.modules.stake.records import (
    SHARD,
    VALIDATORS_KEY,
    ValidatorUpdate,
    big,
    set_consensus_index,
    set_delegation,
    set_elected,
    set_operator,
    set_validators,
    validator_updates,
)
from app.modules.stake.sets import elect
from app.pb import state_pb2, tx_pb2

__all__ = ["ACTIONS", "HANDLERS", "SHARD", "VALIDATORS", "VALIDATORS_KEY", "GenesisOperator",
           "ValidatorUpdate", "end_block", "init_genesis", "validator_updates"]


@dataclass(frozen=True)
class GenesisOperator:
    address: bytes
    pub_key: bytes
    moniker: str
    commission_bps: int
    max_change_bps: int
    self_bond: int  # already moved into the bonded pool by genesis


def init_genesis(store: KV, height: int, params: tx_pb2.Params,
                 operators: list[GenesisOperator], validators: dict[bytes, int]
                 ) -> dict[bytes, int]:
    """The genesis operators with their self-bonds, elected at once; without operators,
    CometBFT's genesis validators stand as they are. Returns CometBFT's validator set."""
    for g in operators:
        op = state_pb2.Operator(address=g.address, pub_key=g.pub_key, moniker=g.moniker,
                                commission_bps=g.commission_bps,
                                max_change_bps=g.max_change_bps, tokens=g.self_bond,
                                shares=g.self_bond, created_height=height)
        set_operator(store, op)
        set_consensus_index(store, g.pub_key, g.address)
        set_delegation(store, g.address, g.address,
                       state_pb2.Delegation(shares=g.self_bond, reward_acc=big(0)))
    record, vset = elect(store, height, params)
    if vset is None:
        vset = validators
    else:
        set_elected(store, record)
    set_validators(store, vset)
    return vset

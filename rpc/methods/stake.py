"""Staking reads: the validators ranked with their tiers, an account's delegations and
rewards, the staking params. Answered from the node's committed state (at a height if given)."""

from __future__ import annotations

from typing import Any

from app.crypto import to_bech32
from app.errors import Code
from rpc.errors import NOT_FOUND
from rpc.jsonrpc import CallContext, Method
from rpc.params import ADDRESS, HEIGHT, Param
from rpc.schemas import INT, STR, obj, ref

_TIERS = ["primary", "secondary", "candidate", "jailed", "tombstoned"]
SCHEMAS = {
    "Validator": obj({
        "rank": INT, "operator": ref("Address"), "moniker": STR, "pub_key": STR,
        "tier": {"enum": _TIERS}, "stake": ref("Amount"), "power": INT,
        "commission_bps": INT, "missed_blocks": INT, "jailed_until": INT,
    }, extra=True),
    "Validators": obj({"validators": {"type": "array", "items": ref("Validator")},
                       "elected_height": INT, "epoch_blocks": INT, "height": INT}),
    "Delegations": obj({
        "delegator": ref("Address"),
        "delegations": {"type": "array", "items": obj({
            "operator": ref("Address"), "moniker": STR, "shares": ref("Amount"),
            "amount": ref("Amount")})},
        "unbonding": {"type": "array", "items": obj({
            "operator": ref("Address"), "initial": ref("Amount"), "balance": ref("Amount"),
            "creation_height": INT, "completion_height": INT})},
        "redelegations": {"type": "array", "items": {"type": "object"}},
        "height": INT,
    }),
    "Rewards": obj({
        "delegator": ref("Address"),
        "rewards": {"type": "array", "items": obj({"operator": ref("Address"),
                                                   "amount": ref("Amount")})},
        "commission": ref("Amount"), "total": ref("Amount"), "height": INT,
    }),
    "StakingParams": obj({"epoch_blocks": INT, "primary_slots": INT, "secondary_slots": INT,
                          "unbonding_blocks": INT, "height": INT}, extra=True),
}

_ADDR = Param("address", ADDRESS, "the delegator (bech32)")
_HEIGHT = Param("height", HEIGHT, "block height (default: latest)", required=False)


async def _info(ctx: CallContext, path: str, height: int | None) -> dict[str, Any] | None:
    r = await ctx.gw.query(path, height)
    if r.code == Code.QUERY_NOT_FOUND:
        return None
    return {**r.info_json(), "height": r.height}


async def get_validators(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any] | None:
    return await _info(ctx, "/stake/validators", p["height"])


async def get_delegations(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any] | None:
    return await _info(ctx, f"/stake/delegations/{to_bech32(p['address'])}", p["height"])


async def get_rewards(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any] | None:
    return await _info(ctx, f"/stake/rewards/{to_bech32(p['address'])}", p["height"])


async def get_staking_params(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any] | None:
    return await _info(ctx, "/stake/params", p["height"])


METHODS = [
    Method("fictra_getValidators", get_validators, (_HEIGHT,),
           {"name": "validators", "schema": ref("Validators")},
           "Every validator operator ranked: tier (primary: in CometBFT's set; secondary; "
           "candidate; jailed; tombstoned), bonded stake, voting power, commission, missed "
           "blocks.", cache=True, errors=(NOT_FOUND,)),
    Method("fictra_getDelegations", get_delegations, (_ADDR, _HEIGHT),
           {"name": "delegations", "schema": ref("Delegations")},
           "An account's delegations (shares and their value in PT), unbonding entries "
           "(PT returning at completion_height) and redelegations.", cache=True,
           errors=(NOT_FOUND,)),
    Method("fictra_getRewards", get_rewards, (_ADDR, _HEIGHT),
           {"name": "rewards", "schema": ref("Rewards")},
           "Rewards the account can withdraw, per operator, and its commission if it is an "
           "operator.", cache=True, errors=(NOT_FOUND,)),
    Method("fictra_getStakingParams", get_staking_params, (_HEIGHT,),
           {"name": "params", "schema": ref("StakingParams")},
           "The staking params: epoch, slots, power reduction, unbonding, rewards shares, "
           "downtime window, slashing.", cache=True, errors=(NOT_FOUND,)),
]

"""Query paths of staking (JSON in ``info``; ``value`` the records, each proven on request):

- ``/stake/validators`` -> every operator ranked: tier (primary, secondary, candidate, jailed,
  tombstoned), stake, power, commission, missed blocks (Operator records)
- ``/stake/validator/<fic1...>`` -> one operator (its Operator record)
- ``/stake/delegations/<fic1...>`` -> a delegator's delegations with their value, and its
  unbonding and redelegation entries (Delegation records)
- ``/stake/rewards/<fic1...>`` -> rewards a delegator can withdraw, per operator, and its
  commission if it is an operator (Delegation records)
- ``/stake/params`` -> the staking params (the Params record)

Bounded: an account has at most one delegation per operator, and its entries are at most
``max_entries`` each.
"""

from __future__ import annotations

from typing import Any

from app.crypto import from_bech32, to_bech32
from app.errors import Code
from app.modules import gov
from app.modules.stake import records
from app.modules.stake.bonds import pending, value
from app.modules.stake.sets import power_of, tier_of
from app.params import STAKE_PARAMS
from app.pb import state_pb2, tx_pb2
from app.query.routes import BadPath, ListRoute, Single

_SHARD = records.SHARD
_AMOUNTS = ("power_reduction", "min_self_bond")
_TIER_ORDER = {"primary": 0, "secondary": 1, "candidate": 2, "jailed": 3, "tombstoned": 4}


def stake_params_json(p: tx_pb2.Params) -> dict[str, Any]:
    return {name: str(getattr(p, name)) if name in _AMOUNTS else getattr(p, name)
            for name, _, _ in STAKE_PARAMS}


def operator_json(op: state_pb2.Operator, tier: str, p: tx_pb2.Params) -> dict[str, Any]:
    return {
        "operator": to_bech32(op.address), "moniker": op.moniker, "pub_key": op.pub_key.hex(),
        "tier": tier, "stake": str(op.tokens), "shares": str(op.shares),
        "power": power_of(op.tokens, p) if tier == "primary" else 0,
        "commission_bps": op.commission_bps, "max_change_bps": op.max_change_bps,
        "missed_blocks": op.missed, "jailed_until": op.jailed_until if op.jailed else 0,
        "slashed": str(op.slashed), "commission_earned": str(op.commission),
        "created_height": op.created_height,
    }


def _address(text: str) -> bytes:
    try:
        return from_bech32(text)
    except ValueError as e:
        raise BadPath(str(e)) from None


def _keys(store: Any, prefix: bytes, height: int) -> list[bytes]:
    return [k for k, _ in store.iterate(_SHARD, prefix, height=height)]


def _params(store: Any, height: int) -> tx_pb2.Params:
    return tx_pb2.Params.FromString(store.get(gov.SHARD, gov.PARAMS_KEY, height=height) or b"")


def _operator_at(store: Any, address: bytes, height: int) -> state_pb2.Operator:
    raw = store.get(_SHARD, records.OPERATOR_PREFIX + address, height=height)
    return state_pb2.Operator.FromString(raw or b"")


def _validators(store: Any, height: int) -> ListRoute:
    def render(pairs: list[tuple[bytes, bytes]]) -> dict[str, Any]:
        p = _params(store, height)
        elected = state_pb2.ElectedSet.FromString(
            store.get(_SHARD, records.ELECTED_KEY, height=height) or b"")
        ops = [state_pb2.Operator.FromString(v) for _, v in pairs]
        rows = [operator_json(op, tier_of(op, elected), p) for op in ops]
        rows.sort(key=lambda r: (_TIER_ORDER[r["tier"]], -int(r["stake"]), r["operator"]))
        for i, r in enumerate(rows):
            r["rank"] = i + 1
        return {"validators": rows, "elected_height": elected.height,
                "epoch_blocks": p.epoch_blocks}
    return ListRoute(_SHARD, _keys(store, records.OPERATOR_PREFIX, height), render)


def _delegations(store: Any, height: int, who: bytes) -> ListRoute:
    prefix = records.DELEGATION_PREFIX + who

    def render(pairs: list[tuple[bytes, bytes]]) -> dict[str, Any]:
        out = []
        for k, v in pairs:
            d = state_pb2.Delegation.FromString(v)
            op = _operator_at(store, k[len(prefix):], height)
            out.append({"operator": to_bech32(op.address), "moniker": op.moniker,
                        "shares": str(d.shares), "amount": str(value(op, d.shares))})
        ubd = [state_pb2.Unbonding.FromString(v) for _, v in store.iterate(
            _SHARD, records.UNBONDING_PREFIX + who, height=height)]
        red = [state_pb2.Redelegation.FromString(v) for _, v in store.iterate(
            _SHARD, records.REDELEGATION_PREFIX + who, height=height)]
        return {
            "delegator": to_bech32(who), "delegations": out,
            "unbonding": [{"operator": to_bech32(u.operator), "initial": str(u.initial),
                           "balance": str(u.balance), "creation_height": u.creation_height,
                           "completion_height": u.completion_height} for u in ubd],
            "redelegations": [{"src": to_bech32(r.src), "dst": to_bech32(r.dst),
                               "initial": str(r.initial), "creation_height": r.creation_height,
                               "completion_height": r.completion_height} for r in red],
        }
    return ListRoute(_SHARD, _keys(store, prefix, height), render)


def _rewards(store: Any, height: int, who: bytes) -> ListRoute:
    prefix = records.DELEGATION_PREFIX + who

    def render(pairs: list[tuple[bytes, bytes]]) -> dict[str, Any]:
        rows, total = [], 0
        for k, v in pairs:
            op = _operator_at(store, k[len(prefix):], height)
            owed = pending(op, state_pb2.Delegation.FromString(v))
            total += owed
            rows.append({"operator": to_bech32(op.address), "amount": str(owed)})
        own = store.get(_SHARD, records.OPERATOR_PREFIX + who, height=height)
        commission = state_pb2.Operator.FromString(own).commission if own else 0
        return {"delegator": to_bech32(who), "rewards": rows, "commission": str(commission),
                "total": str(total + commission)}
    return ListRoute(_SHARD, _keys(store, prefix, height), render)


def route(head: str, args: list[str], store: Any, height: int) -> Single | ListRoute | None:
    if head != "stake" or not args:
        return None
    what, rest = args[0], args[1:]
    if what == "validators" and not rest:
        return _validators(store, height)
    if what == "validator" and len(rest) == 1:
        addr = _address(rest[0])

        def one(raw: bytes | None) -> dict[str, Any]:
            op = state_pb2.Operator.FromString(raw or b"")
            elected = state_pb2.ElectedSet.FromString(
                store.get(_SHARD, records.ELECTED_KEY, height=height) or b"")
            return operator_json(op, tier_of(op, elected), _params(store, height))
        return _SHARD, records.OPERATOR_PREFIX + addr, one, Code.QUERY_NOT_FOUND
    if what == "delegations" and len(rest) == 1:
        return _delegations(store, height, _address(rest[0]))
    if what == "rewards" and len(rest) == 1:
        return _rewards(store, height, _address(rest[0]))
    if what == "params" and not rest:
        return gov.SHARD, gov.PARAMS_KEY, lambda raw: stake_params_json(
            tx_pb2.Params.FromString(raw or b"")), Code.QUERY_NOT_FOUND
    raise BadPath(f"unknown staking path /stake/{'/'.join(args)}")

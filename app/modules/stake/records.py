"""The stake shard's keys and records, read and written only through this file.

Keys (heights and ids are 8-byte big endian, so each queue is one prefix scan):

- ``op/<operator>`` -> Operator; ``cons/<consensus address>`` -> operator address
- ``del/<delegator><operator>`` -> Delegation
- ``ubd/<delegator><id>`` -> Unbonding; ``ubi/<operator><creation height><id>`` and
  ``ubq/<completion height><id>`` -> the ``ubd/`` key (slashing and maturity indexes)
- ``red/<delegator><id>`` -> Redelegation; ``rei/<src><creation height><id>`` and
  ``req/<completion height><id>`` -> the ``red/`` key
- ``miss/<operator><window index u64>`` -> b"" (a missed block in the signing window)
- ``vals`` -> ValidatorSet (CometBFT's set as last answered), ``elected`` -> ElectedSet,
  ``pool`` -> StakePool
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from app.context import KV
from app.crypto import consensus_address
from app.keys import u64
from app.pb import state_pb2

SHARD = "stake"
OPERATOR_PREFIX = b"op/"
CONS_PREFIX = b"cons/"
DELEGATION_PREFIX = b"del/"
UNBONDING_PREFIX = b"ubd/"
UNBONDING_BY_OPERATOR = b"ubi/"
UNBONDING_QUEUE = b"ubq/"
REDELEGATION_PREFIX = b"red/"
REDELEGATION_BY_SRC = b"rei/"
REDELEGATION_QUEUE = b"req/"
MISSED_PREFIX = b"miss/"
VALIDATORS_KEY = b"vals"
ELECTED_KEY = b"elected"
POOL_KEY = b"pool"

REWARD_SCALE = 10**18  # rewards per share are kept in 10^-18 base units

Operator = state_pb2.Operator
Delegation = state_pb2.Delegation


def big(n: int) -> bytes:
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


def unbig(b: bytes) -> int:
    return int.from_bytes(b, "big")


# -- operators -----------------------------------------------------------------------------------

def get_operator(store: KV, address: bytes) -> state_pb2.Operator | None:
    raw = store.get(SHARD, OPERATOR_PREFIX + address)
    return Operator.FromString(raw) if raw is not None else None


def set_operator(store: KV, op: state_pb2.Operator) -> None:
    store.set(SHARD, OPERATOR_PREFIX + op.address, op.SerializeToString())


def all_operators(store: KV) -> Iterator[state_pb2.Operator]:
    """Every operator, by address."""
    for _, raw in store.iterate(SHARD, OPERATOR_PREFIX):
        yield Operator.FromString(raw)


def operator_by_consensus(store: KV, cons_address: bytes) -> bytes | None:
    return store.get(SHARD, CONS_PREFIX + cons_address)


def set_consensus_index(store: KV, pub_key: bytes, operator: bytes) -> None:
    store.set(SHARD, CONS_PREFIX + consensus_address(pub_key), operator)


# -- delegations ---------------------------------------------------------------------------------

def get_delegation(store: KV, delegator: bytes, operator: bytes) -> state_pb2.Delegation | None:
    raw = store.get(SHARD, DELEGATION_PREFIX + delegator + operator)
    return Delegation.FromString(raw) if raw is not None else None


def set_delegation(store: KV, delegator: bytes, operator: bytes,
                   d: state_pb2.Delegation) -> None:
    key = DELEGATION_PREFIX + delegator + operator
    if d.shares:
        store.set(SHARD, key, d.SerializeToString())
    else:
        store.delete(SHARD, key)


def delegations_of(store: KV, delegator: bytes) -> list[tuple[bytes, state_pb2.Delegation]]:
    """(operator, delegation) of one delegator, by operator."""
    prefix = DELEGATION_PREFIX + delegator
    return [(k[len(prefix):], Delegation.FromString(v)) for k, v in store.iterate(SHARD, prefix)]


# -- unbonding and redelegation entries ----------------------------------------------------------

def _next_id(store: KV) -> int:
    pool = get_pool(store)
    pool.next_id += 1
    set_pool(store, pool)
    return pool.next_id


def add_unbonding(store: KV, u: state_pb2.Unbonding) -> None:
    eid = u64(_next_id(store))
    key = UNBONDING_PREFIX + u.delegator + eid
    store.set(SHARD, key, u.SerializeToString())
    store.set(SHARD, UNBONDING_BY_OPERATOR + u.operator + u64(u.creation_height) + eid, key)
    store.set(SHARD, UNBONDING_QUEUE + u64(u.completion_height) + eid, key)


def unbondings_of(store: KV, delegator: bytes) -> list[state_pb2.Unbonding]:
    return [state_pb2.Unbonding.FromString(v)
            for _, v in store.iterate(SHARD, UNBONDING_PREFIX + delegator)]


def unbondings_since(store: KV, operator: bytes, height: int
                     ) -> list[tuple[bytes, state_pb2.Unbonding]]:
    """(key, entry) of the unbondings from ``operator`` created at ``height`` or later."""
    prefix = UNBONDING_BY_OPERATOR + operator
    out = []
    for _, key in store.iterate(SHARD, prefix, start=prefix + u64(height)):
        raw = store.get(SHARD, key)
        if raw is not None:
            out.append((key, state_pb2.Unbonding.FromString(raw)))
    return out


def set_unbonding(store: KV, key: bytes, u: state_pb2.Unbonding) -> None:
    store.set(SHARD, key, u.SerializeToString())


def pop_matured_unbondings(store: KV, height: int) -> list[state_pb2.Unbonding]:
    """The unbondings completing at ``height``, removed with their indexes, by id."""
    out = []
    prefix = UNBONDING_QUEUE + u64(height)
    for qkey, key in list(store.iterate(SHARD, prefix)):
        eid = qkey[len(prefix):]
        u = state_pb2.Unbonding.FromString(store.get(SHARD, key) or b"")
        store.delete(SHARD, qkey)
        store.delete(SHARD, key)
        store.delete(SHARD, UNBONDING_BY_OPERATOR + u.operator + u64(u.creation_height) + eid)
        out.append(u)
    return out


def add_redelegation(store: KV, r: state_pb2.Redelegation) -> None:
    eid = u64(_next_id(store))
    key = REDELEGATION_PREFIX + r.delegator + eid
    store.set(SHARD, key, r.SerializeToString())
    store.set(SHARD, REDELEGATION_BY_SRC + r.src + u64(r.creation_height) + eid, key)
    store.set(SHARD, REDELEGATION_QUEUE + u64(r.completion_height) + eid, key)


def redelegations_of(store: KV, delegator: bytes) -> list[state_pb2.Redelegation]:
    return [state_pb2.Redelegation.FromString(v)
            for _, v in store.iterate(SHARD, REDELEGATION_PREFIX + delegator)]


def redelegations_since(store: KV, src: bytes, height: int
                        ) -> list[tuple[bytes, state_pb2.Redelegation]]:
    prefix = REDELEGATION_BY_SRC + src
    out = []
    for _, key in store.iterate(SHARD, prefix, start=prefix + u64(height)):
        raw = store.get(SHARD, key)
        if raw is not None:
            out.append((key, state_pb2.Redelegation.FromString(raw)))
    return out


def set_redelegation(store: KV, key: bytes, r: state_pb2.Redelegation) -> None:
    store.set(SHARD, key, r.SerializeToString())


def drop_matured_redelegations(store: KV, height: int) -> None:
    prefix = REDELEGATION_QUEUE + u64(height)
    for qkey, key in list(store.iterate(SHARD, prefix)):
        eid = qkey[len(prefix):]
        r = state_pb2.Redelegation.FromString(store.get(SHARD, key) or b"")
        store.delete(SHARD, qkey)
        store.delete(SHARD, key)
        store.delete(SHARD, REDELEGATION_BY_SRC + r.src + u64(r.creation_height) + eid)


# -- the signing window --------------------------------------------------------------------------

def missed_at(store: KV, operator: bytes, index: int) -> bool:
    return store.get(SHARD, MISSED_PREFIX + operator + u64(index)) is not None


def set_missed(store: KV, operator: bytes, index: int, missed: bool) -> None:
    key = MISSED_PREFIX + operator + u64(index)
    if missed:
        store.set(SHARD, key, b"")
    else:
        store.delete(SHARD, key)


def clear_missed(store: KV, operator: bytes) -> None:
    for key, _ in list(store.iterate(SHARD, MISSED_PREFIX + operator)):
        store.delete(SHARD, key)


# -- sets and the pool ---------------------------------------------------------------------------

def get_pool(store: KV) -> state_pb2.StakePool:
    raw = store.get(SHARD, POOL_KEY)
    return state_pb2.StakePool.FromString(raw) if raw is not None else state_pb2.StakePool()


def set_pool(store: KV, pool: state_pb2.StakePool) -> None:
    store.set(SHARD, POOL_KEY, pool.SerializeToString())


def get_elected(store: KV) -> state_pb2.ElectedSet:
    raw = store.get(SHARD, ELECTED_KEY)
    return state_pb2.ElectedSet.FromString(raw) if raw is not None else state_pb2.ElectedSet()


def set_elected(store: KV, e: state_pb2.ElectedSet) -> None:
    store.set(SHARD, ELECTED_KEY, e.SerializeToString())


def get_validators(store: KV) -> dict[bytes, int]:
    """CometBFT's validator set as the application last answered it: pub_key -> power."""
    raw = store.get(SHARD, VALIDATORS_KEY)
    msg = state_pb2.ValidatorSet.FromString(raw or b"")
    return {v.pub_key: v.power for v in msg.validators}


def set_validators(store: KV, vset: dict[bytes, int]) -> None:
    msg = state_pb2.ValidatorSet(
        validators=[state_pb2.Validator(pub_key=k, power=vset[k]) for k in sorted(vset)])
    store.set(SHARD, VALIDATORS_KEY, msg.SerializeToString())


class ValidatorUpdate(NamedTuple):
    """A change of CometBFT's validator set: an ed25519 key and its new power (0 removes)."""

    pub_key: bytes
    power: int


def validator_updates(before: bytes | None, after: bytes | None) -> list[ValidatorUpdate]:
    """The updates turning validator set record ``before`` into ``after`` (by key)."""
    if before == after:
        return []
    old = {v.pub_key: v.power for v in state_pb2.ValidatorSet.FromString(before or b"").validators}
    new = {v.pub_key: v.power for v in state_pb2.ValidatorSet.FromString(after or b"").validators}
    return [ValidatorUpdate(k, new.get(k, 0)) for k in sorted(old.keys() | new.keys())
            if old.get(k) != new.get(k)]

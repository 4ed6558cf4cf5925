"""Tiers, the election at the end of an epoch, and taking an operator out of the set.

Operators not jailed or tombstoned with bonded stake are ranked by stake, ties by address:
the first ``primary_slots`` whose stake makes at least one unit of power are CometBFT's
validators (power = stake // power_reduction), the next ``secondary_slots`` are secondaries,
the rest candidates. Power changes only at elections; a jailed or removed primary leaves
CometBFT's set at once (the best secondary is promoted at the next election). The set never
becomes empty: an election with no one eligible keeps the set as it is, and the last validator
stays in CometBFT's set even when jailed (the state still says jailed).
"""

from __future__ import annotations

from app import events
from app.context import KV, Ctx
from app.modules.stake.bonds import credit
from app.modules.stake.records import (
    all_operators,
    clear_missed,
    get_elected,
    get_operator,
    get_pool,
    get_validators,
    set_elected,
    set_operator,
    set_pool,
    set_validators,
)
from app.params import MAX_VALIDATOR_POWER
from app.pb import state_pb2, tx_pb2


def tier_of(op: state_pb2.Operator, elected: state_pb2.ElectedSet) -> str:
    if op.tombstoned:
        return "tombstoned"
    if op.jailed:
        return "jailed"
    if any(e.operator == op.address for e in elected.primaries):
        return "primary"
    if any(e.operator == op.address for e in elected.secondaries):
        return "secondary"
    return "candidate"


def power_of(tokens: int, p: tx_pb2.Params) -> int:
    return min(tokens // p.power_reduction, MAX_VALIDATOR_POWER)


def rank(store: KV, p: tx_pb2.Params) -> tuple[list[state_pb2.Operator],
                                               list[state_pb2.Operator]]:
    """(primaries, secondaries), each ranked."""
    ranked = sorted((op for op in all_operators(store)
                     if op.tokens and not op.jailed and not op.tombstoned),
                    key=lambda op: (-op.tokens, op.address))
    primaries = [op for op in ranked[:p.primary_slots] if power_of(op.tokens, p) >= 1]
    secondaries = ranked[len(primaries):len(primaries) + p.secondary_slots]
    return primaries, secondaries


def _record(ops: list[state_pb2.Operator], p: tx_pb2.Params, primary: bool
            ) -> list[state_pb2.Elected]:
    return [state_pb2.Elected(operator=op.address, tokens=op.tokens,
                              power=power_of(op.tokens, p) if primary else 0) for op in ops]


def elect(store: KV, height: int, p: tx_pb2.Params) -> tuple[state_pb2.ElectedSet,
                                                             dict[bytes, int] | None]:
    """The election's tiers and CometBFT's new set (None: no one eligible, keep the set)."""
    primaries, secondaries = rank(store, p)
    record = state_pb2.ElectedSet(height=height, primaries=_record(primaries, p, True),
                                  secondaries=_record(secondaries, p, False))
    if not primaries:
        return record, None
    return record, {op.pub_key: power_of(op.tokens, p) for op in primaries}


def run_election(ctx: Ctx) -> None:
    """Pay the secondaries their share, then elect and record the new tiers."""
    store, p = ctx.store, ctx.params
    old = get_elected(store)
    _pay_secondaries(ctx, old)
    record, vset = elect(store, ctx.height, p)
    if vset is None:
        return
    old_tiers = {e.operator: "primary" for e in old.primaries}
    old_tiers.update({e.operator: "secondary" for e in old.secondaries})
    new_tiers = {e.operator: ("primary", e.power) for e in record.primaries}
    new_tiers.update({e.operator: ("secondary", 0) for e in record.secondaries})
    for addr in sorted(old_tiers.keys() | new_tiers.keys()):
        before = old_tiers.get(addr, "candidate")
        after, power = new_tiers.get(addr, ("candidate", 0))
        if before == after == "primary":
            continue
        if after == "primary":
            ctx.emit(events.validator_set, addr, "joined", after, power)
        elif before == "primary":
            ctx.emit(events.validator_set, addr, "left", after, 0)
        elif before != after:
            ctx.emit(events.validator_set, addr, "tier", after, 0)
    set_elected(store, record)
    set_validators(store, vset)


def _pay_secondaries(ctx: Ctx, elected: state_pb2.ElectedSet) -> None:
    """The secondaries' pooled share, by stake; the division's remainder waits in the pool."""
    pool = get_pool(ctx.store)
    if not pool.secondary_rewards:
        return
    ops = [op for e in elected.secondaries
           if (op := get_operator(ctx.store, e.operator)) is not None
           and not op.jailed and not op.tombstoned and op.tokens]
    total = sum(op.tokens for op in ops)
    if not total:
        return
    paid = 0
    for op in ops:
        share = pool.secondary_rewards * op.tokens // total
        credit(op, share)
        set_operator(ctx.store, op)
        paid += share
    pool.secondary_rewards -= paid
    set_pool(ctx.store, pool)


def take_out(ctx: Ctx, op: state_pb2.Operator) -> None:
    """``op`` leaves the tiers and CometBFT's set (unless it is the last validator). The
    caller has marked it jailed or tombstoned and saves it."""
    store = ctx.store
    op.missed = 0
    op.window_pos = 0
    clear_missed(store, op.address)
    elected = get_elected(store)
    was_primary = any(e.operator == op.address for e in elected.primaries)
    kept_p = [e for e in elected.primaries if e.operator != op.address]
    kept_s = [e for e in elected.secondaries if e.operator != op.address]
    if len(kept_p) != len(elected.primaries) or len(kept_s) != len(elected.secondaries):
        del elected.primaries[:]
        elected.primaries.extend(kept_p)
        del elected.secondaries[:]
        elected.secondaries.extend(kept_s)
        set_elected(store, elected)
    vset = get_validators(store)
    if op.pub_key in vset and len(vset) > 1:
        del vset[op.pub_key]
        set_validators(store, vset)
    tier = "tombstoned" if op.tombstoned else "jailed"
    ctx.emit(events.validator_set, op.address, "left" if was_primary else "tier", tier, 0)

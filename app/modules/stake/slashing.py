"""Downtime and double signing, from what CometBFT reports in FinalizeBlock.

- Downtime: every primary's signature of the previous block (``decided_last_commit``) is
  counted in a window of ``signed_window`` blocks (one bit per missed block); missing more
  than ``max_missed_blocks`` of it jails the operator for ``jail_blocks`` and slashes
  ``downtime_slash_bps`` of its bonded stake.
- Double signing (``misbehavior`` DUPLICATE_VOTE): ``double_sign_slash_bps`` of the bonded
  stake, of every unbonding from the operator created at the infraction height or later, and
  of every redelegation out of it since then (taken at the destination); then the operator
  is jailed and tombstoned for good.

Slashed PT goes to the treasury (the supply is unchanged; the council may burn it).
"""

from __future__ import annotations

from collections.abc import Iterable

from app import events
from app.context import Ctx, Misbehavior, Vote
from app.modules import pt
from app.modules.stake.bonds import BPS, remove
from app.modules.stake.records import (
    get_delegation,
    get_operator,
    missed_at,
    operator_by_consensus,
    redelegations_since,
    set_missed,
    set_operator,
    set_redelegation,
    set_unbonding,
    unbondings_since,
)
from app.modules.stake.sets import take_out
from app.pb import state_pb2

DUPLICATE_VOTE = 1
_NEVER = 2**64 - 1


def _short(have: int) -> Exception:
    # The pools always hold what the records say; if not, halting beats guessing.
    return RuntimeError(f"staking pool holds {have}: its records do not balance")


def _to_treasury(ctx: Ctx, pool: bytes, amount: int) -> None:
    if amount:
        pt.transfer(ctx, pool, pt.TREASURY, amount, _short, check_recipient=False)


def slash(ctx: Ctx, op: state_pb2.Operator, bps: int, infraction_height: int, reason: str,
          *, entries: bool) -> int:
    """Take ``bps`` of ``op``'s bonded stake (and, with ``entries``, of its unbondings and
    redelegations since ``infraction_height``); returns the PT taken. The caller saves ``op``."""
    taken = op.tokens * bps // BPS
    op.tokens -= taken
    _to_treasury(ctx, pt.BONDED, taken)
    if entries:
        store = ctx.store
        for key, u in unbondings_since(store, op.address, infraction_height):
            cut = min(u.initial * bps // BPS, u.balance)
            if cut:
                u.balance -= cut
                set_unbonding(store, key, u)
                _to_treasury(ctx, pt.UNBONDING, cut)
                taken += cut
        for key, r in redelegations_since(store, op.address, infraction_height):
            dst = get_operator(store, r.dst)
            d = get_delegation(store, r.delegator, r.dst)
            if dst is None or d is None:
                continue
            shares = min(r.shares_dst * bps // BPS, d.shares)
            if not shares:
                continue
            cut = remove(ctx, r.delegator, dst, shares)
            set_operator(store, dst)
            r.shares_dst -= shares
            set_redelegation(store, key, r)
            _to_treasury(ctx, pt.BONDED, cut)
            taken += cut
    op.slashed += taken
    ctx.emit(events.slash, op.address, reason, taken, infraction_height)
    return taken


def count_signatures(ctx: Ctx, votes: Iterable[Vote]) -> None:
    """Move each primary's signing window by the previous block; jail those down too long."""
    p = ctx.params
    store = ctx.store
    for vote in votes:
        addr = operator_by_consensus(store, vote.address)
        op = get_operator(store, addr) if addr is not None else None
        if op is None or op.jailed or op.tombstoned:
            continue
        index = op.window_pos % p.signed_window
        was_missed = missed_at(store, op.address, index)
        if not vote.signed and not was_missed:
            set_missed(store, op.address, index, True)
            op.missed += 1
        elif vote.signed and was_missed:
            set_missed(store, op.address, index, False)
            op.missed -= 1
        op.window_pos += 1
        if op.missed > p.max_missed_blocks:
            slash(ctx, op, p.downtime_slash_bps, ctx.height, "downtime", entries=False)
            op.jailed = True
            op.jailed_until = ctx.height + p.jail_blocks
            take_out(ctx, op)
        set_operator(store, op)


def handle_evidence(ctx: Ctx, misbehavior: Iterable[Misbehavior]) -> None:
    p = ctx.params
    store = ctx.store
    for m in misbehavior:
        if m.kind != DUPLICATE_VOTE:
            continue
        addr = operator_by_consensus(store, m.address)
        op = get_operator(store, addr) if addr is not None else None
        if op is None or op.tombstoned:
            continue  # not an operator's key, or already punished for good
        slash(ctx, op, p.double_sign_slash_bps, m.height, "double_sign", entries=True)
        op.jailed = True
        op.tombstoned = True
        op.jailed_until = _NEVER
        take_out(ctx, op)
        set_operator(store, op)

"""The stake module's end of block: the block's fees shared out, signatures counted,
evidence punished, matured unbondings paid, and at an epoch's end the election.

Fees: ``community_share_bps`` to the treasury; of the rest, ``secondary_share_bps`` waits in
the pool for the secondaries (paid at the next election, by stake) and the remainder goes to
the operators whose votes signed the previous block, by voting power, each keeping its
commission and crediting the rest to its delegators by share. Every division's remainder, and
the part of signers that are no operator (genesis validators), goes to the treasury.
"""

from __future__ import annotations

from app import events
from app.context import Ctx
from app.modules import pt
from app.modules.stake.bonds import BPS, credit
from app.modules.stake.records import (
    drop_matured_redelegations,
    get_elected,
    get_operator,
    get_pool,
    operator_by_consensus,
    pop_matured_unbondings,
    set_operator,
    set_pool,
)
from app.modules.stake.sets import run_election
from app.modules.stake.slashing import count_signatures, handle_evidence


def _short(have: int) -> Exception:
    return RuntimeError(f"rewards pool holds {have}: its records do not balance")


def distribute(ctx: Ctx, fees: int) -> None:
    """Share out ``fees`` (already in the rewards pool)."""
    if not fees:
        return
    p, store = ctx.params, ctx.store
    community = fees * p.community_share_bps // BPS
    rest = fees - community
    secondary = 0
    if p.secondary_share_bps and get_elected(store).secondaries:
        secondary = rest * p.secondary_share_bps // BPS
        pool = get_pool(store)
        pool.secondary_rewards += secondary
        set_pool(store, pool)
    signers = rest - secondary
    paid = []
    for vote in ctx.votes:
        if not vote.signed or vote.power <= 0:
            continue
        addr = operator_by_consensus(store, vote.address)
        op = get_operator(store, addr) if addr is not None else None
        if op is not None and not op.tombstoned:
            paid.append((op, vote.power))
    total_power = sum(power for _, power in paid)
    given = 0
    for op, power in paid:
        share = signers * power // total_power
        credit(op, share)
        set_operator(store, op)
        given += share
    community += signers - given
    if community:
        pt.transfer(ctx, pt.REWARDS, pt.TREASURY, community, _short, check_recipient=False)
    ctx.emit(events.reward, "block", pt.TREASURY, community, fees=str(fees),
             validators=str(given), secondaries=str(secondary))


def complete_unbondings(ctx: Ctx) -> None:
    for u in pop_matured_unbondings(ctx.store, ctx.height):
        if u.balance:
            pt.transfer(ctx, pt.UNBONDING, u.delegator, u.balance, _short, check_recipient=False)
        ctx.emit(events.stake, "complete_unbonding", u.delegator, u.operator, u.balance,
                 initial=str(u.initial))
    drop_matured_redelegations(ctx.store, ctx.height)


def end_block(ctx: Ctx, fees: int) -> None:
    distribute(ctx, fees)
    count_signatures(ctx, ctx.votes)
    handle_evidence(ctx, ctx.misbehavior)
    complete_unbondings(ctx)
    if ctx.height % ctx.params.epoch_blocks == 0:
        run_election(ctx)

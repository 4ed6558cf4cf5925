"""Bonding by shares and the rewards they earn.

An operator's ``tokens`` are the PT its delegators have bonded (after slashes), ``shares`` the
claims on them: a delegation of ``s`` shares is worth ``s * tokens // shares``. A slash lowers
the tokens only, so it reaches every delegator pro rata. Rewards per share accumulate in
``reward_acc`` (scaled by 10^18, the division's remainder carried to the next credit); a
delegation is paid what accrued since it was last settled, and is settled (paid out) whenever
its shares change, so a share never earns what was credited before it existed.

Rounding: shares for a delegation round down, shares taken by an undelegation round up, and
what they pay out rounds down; every remainder stays with the operator's other delegators.
When an operator's last share leaves, the tokens and rewards still left with it (at most
rounding remainders, or a slashed operator's residue) go to the treasury: nothing is stranded.
"""

from __future__ import annotations

from app import events
from app.context import Ctx
from app.errors import Code, TxError
from app.modules import pt
from app.modules.stake.records import (
    REWARD_SCALE,
    big,
    get_delegation,
    set_delegation,
    unbig,
)
from app.pb import state_pb2

_MAX_U64 = 2**64 - 1
BPS = 10_000


def pending(op: state_pb2.Operator, d: state_pb2.Delegation) -> int:
    """Rewards a delegation has earned since it was last settled."""
    owed = d.shares * (unbig(op.reward_acc) - unbig(d.reward_acc)) // REWARD_SCALE
    return min(owed, op.outstanding)  # never more than was credited (it cannot be, by design)


def value(op: state_pb2.Operator, shares: int) -> int:
    """PT that ``shares`` of ``op`` are worth now (rounded down)."""
    return shares * op.tokens // op.shares if op.shares else 0


def _short(what: str) -> pt.ShortError:
    # The pools always hold what the records say; if not, halting beats guessing.
    return lambda have: RuntimeError(f"{what} holds {have}: its records do not balance")


def pay(ctx: Ctx, recipient: bytes, amount: int) -> None:
    """Rewards out of the rewards pool (the recipient's own: no recipient checks)."""
    if amount:
        pt.transfer(ctx, pt.REWARDS, recipient, amount, _short("rewards pool"),
                    check_recipient=False)


def settle(ctx: Ctx, delegator: bytes, op: state_pb2.Operator, d: state_pb2.Delegation) -> int:
    """Pay ``d``'s pending rewards and restart its accrual; the caller saves both records."""
    owed = pending(op, d)
    op.outstanding -= owed
    d.reward_acc = op.reward_acc
    pay(ctx, delegator, owed)
    return owed


def credit(op: state_pb2.Operator, amount: int) -> int:
    """Add ``amount`` of rewards to ``op``: its commission, the rest to its delegators by share.
    Returns the commission."""
    commission = amount * op.commission_bps // BPS
    rest = amount - commission
    if not op.shares:
        commission, rest = amount, 0
    op.commission += commission
    if rest:
        op.outstanding += rest
        num = rest * REWARD_SCALE + op.reward_carry
        op.reward_acc = big(unbig(op.reward_acc) + num // op.shares)
        op.reward_carry = num % op.shares
    return commission


def shares_for(op: state_pb2.Operator, amount: int) -> int:
    """Shares ``amount`` PT buys at ``op`` now (rounded down); TxError if none or too many."""
    if op.shares and not op.tokens:
        raise TxError(Code.INSUFFICIENT_STAKE, "the operator's stake was slashed to nothing")
    shares = amount * op.shares // op.tokens if op.shares else amount
    if shares == 0:
        raise TxError(Code.AMOUNT_TOO_SMALL, f"{amount} buys no share at this operator")
    if op.shares + shares > _MAX_U64:
        raise TxError(Code.AMOUNT_TOO_SMALL, "the operator's shares would overflow")
    return shares


def add(ctx: Ctx, delegator: bytes, op: state_pb2.Operator, amount: int) -> int:
    """Bond ``amount`` (already in the bonded pool) to ``op`` for ``delegator``; returns the
    shares. The caller saves ``op``."""
    shares = shares_for(op, amount)
    d = get_delegation(ctx.store, delegator, op.address) or state_pb2.Delegation()
    settle(ctx, delegator, op, d)
    d.shares += shares
    op.shares += shares
    op.tokens += amount
    set_delegation(ctx.store, delegator, op.address, d)
    return shares


def shares_to_take(op: state_pb2.Operator, d: state_pb2.Delegation | None, amount: int) -> int:
    """Shares an undelegation of ``amount`` PT takes (rounded up, at most the delegation)."""
    if d is None or not d.shares:
        raise TxError(Code.DELEGATION_NOT_FOUND, "no delegation to this operator")
    have = value(op, d.shares)
    if amount > have:
        raise TxError(Code.INSUFFICIENT_STAKE, f"the delegation is worth {have}, not {amount}")
    shares = min(-(-amount * op.shares // op.tokens), d.shares)
    if value(op, shares) == 0:
        raise TxError(Code.AMOUNT_TOO_SMALL, f"{amount} is worth less than one base unit back")
    return shares


def remove(ctx: Ctx, delegator: bytes, op: state_pb2.Operator, shares: int) -> int:
    """Unbond ``shares`` of ``delegator`` from ``op``; returns the PT they were worth (still in
    the bonded pool: the caller moves it). The caller saves ``op``."""
    d = get_delegation(ctx.store, delegator, op.address)
    assert d is not None and d.shares >= shares
    settle(ctx, delegator, op, d)
    tokens = value(op, shares)
    d.shares -= shares
    op.shares -= shares
    op.tokens -= tokens
    set_delegation(ctx.store, delegator, op.address, d)
    if not op.shares:
        sweep(ctx, op)
    return tokens


def sweep(ctx: Ctx, op: state_pb2.Operator) -> None:
    """The last share left: what is left with the operator goes to the treasury."""
    short = _short("staking pool")
    if op.tokens:
        pt.transfer(ctx, pt.BONDED, pt.TREASURY, op.tokens, short, check_recipient=False)
        op.tokens = 0
    if op.outstanding:
        pt.transfer(ctx, pt.REWARDS, pt.TREASURY, op.outstanding, short, check_recipient=False)
        op.outstanding = 0
    op.reward_carry = 0


def bond_from(ctx: Ctx, delegator: bytes, amount: int) -> None:
    """Move ``amount`` of the delegator's PT into the bonded pool."""
    pt.transfer(ctx, delegator, pt.BONDED, amount,
                lambda have: TxError(Code.INSUFFICIENT_FUNDS, f"balance {have} < amount {amount}"),
                check_recipient=False)


def emit_withdraw(ctx: Ctx, recipient: bytes, amount: int, source: str) -> None:
    ctx.emit(events.reward, "withdraw", recipient, amount, source=source)

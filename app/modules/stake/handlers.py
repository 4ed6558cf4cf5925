"""Staking's messages and the council's emergency override: stateless checks and handlers."""

from __future__ import annotations

from app import events
from app.context import Ctx
from app.crypto import ADDRESS_LEN, PUBKEY_LEN, consensus_address, to_bech32
from app.errors import Code, TxError
from app.modules import pt
from app.modules.stake.bonds import (
    BPS,
    add,
    bond_from,
    emit_withdraw,
    pay,
    remove,
    settle,
    shares_to_take,
    value,
)
from app.modules.stake.records import (
    add_redelegation,
    add_unbonding,
    delegations_of,
    get_delegation,
    get_operator,
    get_validators,
    operator_by_consensus,
    redelegations_of,
    set_consensus_index,
    set_delegation,
    set_operator,
    unbondings_of,
)
from app.modules.stake.sets import take_out
from app.params import MAX_SUPPLY, ROLES
from app.pb import state_pb2, tx_pb2

MAX_MONIKER_BYTES = 64
_NEVER = 2**64 - 1


def _invalid(text: str) -> TxError:
    return TxError(Code.TX_INVALID, text)


def _check_operator_address(address: bytes, what: str) -> None:
    if len(address) != ADDRESS_LEN:
        raise _invalid(f"{what} must be a {ADDRESS_LEN}-byte address")


def _check_amount(amount: int, what: str) -> None:
    if not 0 < amount <= MAX_SUPPLY:
        raise _invalid(f"{what} must be positive and at most the maximum supply")


def validate_create_validator(m: tx_pb2.MsgCreateValidator) -> None:
    if len(m.pub_key) != PUBKEY_LEN:
        raise _invalid(f"create_validator.pub_key must be a {PUBKEY_LEN}-byte ed25519 key")
    moniker = m.moniker.encode()
    if not 0 < len(moniker) <= MAX_MONIKER_BYTES or not m.moniker.isprintable():
        raise _invalid(f"create_validator.moniker must be 1-{MAX_MONIKER_BYTES} printable bytes")
    if m.commission_bps > BPS or m.max_change_bps > BPS:
        raise _invalid("create_validator commission and max change are at most 10000 bps")
    _check_amount(m.self_bond, "create_validator.self_bond")


def validate_delegate(m: tx_pb2.MsgDelegate | tx_pb2.MsgUndelegate) -> None:
    _check_operator_address(m.operator, "operator")
    _check_amount(m.amount, "amount")


def validate_redelegate(m: tx_pb2.MsgRedelegate) -> None:
    _check_operator_address(m.src, "redelegate.src")
    _check_operator_address(m.dst, "redelegate.dst")
    if m.src == m.dst:
        raise _invalid("redelegate.src and dst are the same operator")
    _check_amount(m.amount, "redelegate.amount")


def validate_edit_validator(m: tx_pb2.MsgEditValidator) -> None:
    if len(m.moniker.encode()) > MAX_MONIKER_BYTES or not m.moniker.isprintable():
        raise _invalid(f"edit_validator.moniker must be at most {MAX_MONIKER_BYTES} printable "
                       "bytes")
    if m.commission_bps > BPS:
        raise _invalid("edit_validator.commission_bps is at most 10000")


def _nothing(_: object) -> None:
    return None


def _operator(ctx: Ctx, address: bytes) -> state_pb2.Operator:
    op = get_operator(ctx.store, address)
    if op is None:
        raise TxError(Code.OPERATOR_NOT_FOUND, f"{to_bech32(address)} is not a validator operator")
    return op


def _open_operator(ctx: Ctx, address: bytes) -> state_pb2.Operator:
    op = _operator(ctx, address)
    if op.tombstoned:
        raise TxError(Code.OPERATOR_TOMBSTONED, f"{to_bech32(address)} is tombstoned")
    return op


def handle_create_validator(ctx: Ctx, signer: bytes, m: tx_pb2.MsgCreateValidator) -> None:
    store, p = ctx.store, ctx.params
    acct = pt.get_account(store, signer)
    if acct.tier == tx_pb2.KYC_TIER_NONE or not acct.roles & ROLES["validator"]:
        raise TxError(Code.NOT_VALIDATOR_ROLE, f"{to_bech32(signer)} does not hold the "
                      "validator role")
    if get_operator(store, signer) is not None:
        raise TxError(Code.OPERATOR_EXISTS, f"{to_bech32(signer)} is already an operator")
    if operator_by_consensus(store, consensus_address(m.pub_key)) is not None \
            or m.pub_key in get_validators(store):
        raise TxError(Code.CONSENSUS_KEY_IN_USE, "the consensus key is already in use")
    if m.self_bond < p.min_self_bond:
        raise TxError(Code.SELF_BOND_TOO_LOW, f"self-bond {m.self_bond} below min_self_bond "
                      f"{p.min_self_bond}")
    op = state_pb2.Operator(address=signer, pub_key=m.pub_key, moniker=m.moniker,
                            commission_bps=m.commission_bps, max_change_bps=m.max_change_bps,
                            created_height=ctx.height)
    bond_from(ctx, signer, m.self_bond)
    add(ctx, signer, op, m.self_bond)
    set_operator(store, op)
    set_consensus_index(store, m.pub_key, signer)
    ctx.emit(events.stake, "create_validator", signer, signer, m.self_bond, moniker=m.moniker)


def handle_delegate(ctx: Ctx, signer: bytes, m: tx_pb2.MsgDelegate) -> None:
    op = _open_operator(ctx, m.operator)
    bond_from(ctx, signer, m.amount)
    shares = add(ctx, signer, op, m.amount)
    set_operator(ctx.store, op)
    ctx.emit(events.stake, "delegate", signer, m.operator, m.amount, shares=str(shares))


def _entries_left(ctx: Ctx, count: int, what: str) -> None:
    if count >= ctx.params.max_entries:
        raise TxError(Code.TOO_MANY_ENTRIES, f"already {count} {what} maturing (max_entries "
                      f"{ctx.params.max_entries})")


def _check_self_bond(ctx: Ctx, signer: bytes, op: state_pb2.Operator) -> None:
    """An operator whose own stake fell below min_self_bond is jailed (it may unjail once
    it bonds enough again), as no operator may run on its delegators' stake alone."""
    if signer != op.address or op.jailed or op.tombstoned:
        return
    own = get_delegation(ctx.store, signer, signer)
    if (value(op, own.shares) if own is not None else 0) < ctx.params.min_self_bond:
        op.jailed = True
        op.jailed_until = ctx.height
        take_out(ctx, op)


def handle_undelegate(ctx: Ctx, signer: bytes, m: tx_pb2.MsgUndelegate) -> None:
    store = ctx.store
    op = _operator(ctx, m.operator)
    shares = shares_to_take(op, get_delegation(store, signer, m.operator), m.amount)
    _entries_left(ctx, len(unbondings_of(store, signer)), "unbondings")
    tokens = remove(ctx, signer, op, shares)
    _check_self_bond(ctx, signer, op)
    set_operator(store, op)
    pt.transfer(ctx, pt.BONDED, pt.UNBONDING, tokens,
                lambda have: RuntimeError(f"bonded pool holds {have}: records do not balance"),
                check_recipient=False)
    done = ctx.height + ctx.params.unbonding_blocks
    add_unbonding(store, state_pb2.Unbonding(
        delegator=signer, operator=m.operator, creation_height=ctx.height,
        completion_height=done, initial=tokens, balance=tokens))
    ctx.emit(events.stake, "undelegate", signer, m.operator, tokens, shares=str(shares),
             completion_height=str(done))


def handle_redelegate(ctx: Ctx, signer: bytes, m: tx_pb2.MsgRedelegate) -> None:
    store = ctx.store
    src = _operator(ctx, m.src)
    dst = _open_operator(ctx, m.dst)
    mine = redelegations_of(store, signer)
    if any(r.dst == m.src for r in mine):
        raise TxError(Code.REDELEGATION_IN_PROGRESS, "stake redelegated into the source is "
                      "still maturing; redelegate it again after it matures")
    _entries_left(ctx, len(mine), "redelegations")
    shares = shares_to_take(src, get_delegation(store, signer, m.src), m.amount)
    tokens = remove(ctx, signer, src, shares)
    _check_self_bond(ctx, signer, src)
    set_operator(store, src)
    shares_dst = add(ctx, signer, dst, tokens)  # the PT stays in the bonded pool
    set_operator(store, dst)
    done = ctx.height + ctx.params.unbonding_blocks
    add_redelegation(store, state_pb2.Redelegation(
        delegator=signer, src=m.src, dst=m.dst, creation_height=ctx.height,
        completion_height=done, initial=tokens, shares_dst=shares_dst))
    ctx.emit(events.stake, "redelegate", signer, m.src, tokens, dst=to_bech32(m.dst),
             completion_height=str(done))


def handle_unjail(ctx: Ctx, signer: bytes, _: tx_pb2.MsgUnjail) -> None:
    op = _open_operator(ctx, signer)
    if not op.jailed:
        raise TxError(Code.NOT_JAILED, f"{to_bech32(signer)} is not jailed")
    if ctx.height < op.jailed_until:
        raise TxError(Code.STILL_JAILED, f"jailed until height {op.jailed_until}")
    own = get_delegation(ctx.store, signer, signer)
    bonded = value(op, own.shares) if own is not None else 0
    if bonded < ctx.params.min_self_bond:
        raise TxError(Code.SELF_BOND_TOO_LOW, f"self-bond worth {bonded}, below min_self_bond "
                      f"{ctx.params.min_self_bond}")
    op.jailed = False
    op.jailed_until = 0
    set_operator(ctx.store, op)
    ctx.emit(events.stake, "unjail", signer, signer, 0)


def handle_edit_validator(ctx: Ctx, signer: bytes, m: tx_pb2.MsgEditValidator) -> None:
    op = _open_operator(ctx, signer)
    if m.commission_bps != op.commission_bps:
        step = abs(m.commission_bps - op.commission_bps)
        if step > op.max_change_bps:
            raise TxError(Code.COMMISSION_CHANGE, f"commission may move by at most "
                          f"{op.max_change_bps} bps at a time, not {step}")
        since = op.commission_height or op.created_height
        if op.commission_height and ctx.height < since + ctx.params.epoch_blocks:
            raise TxError(Code.COMMISSION_CHANGE, f"commission changed at height {since}; "
                          f"next change from height {since + ctx.params.epoch_blocks}")
        op.commission_bps = m.commission_bps
        op.commission_height = ctx.height
    if m.moniker:
        op.moniker = m.moniker
    set_operator(ctx.store, op)
    ctx.emit(events.stake, "edit_validator", signer, signer, 0, moniker=op.moniker,
             commission_bps=str(op.commission_bps))


def handle_withdraw(ctx: Ctx, signer: bytes, _: tx_pb2.MsgWithdrawRewards) -> None:
    store = ctx.store
    total = 0
    for addr, d in delegations_of(store, signer):
        op = _operator(ctx, addr)
        total += settle(ctx, signer, op, d)
        set_delegation(store, signer, addr, d)
        set_operator(store, op)
    own = get_operator(store, signer)
    commission = own.commission if own is not None else 0
    if own is not None and commission:
        own.commission = 0
        set_operator(store, own)
        pay(ctx, signer, commission)
    if not total and not commission:
        raise TxError(Code.NO_REWARDS, f"{to_bech32(signer)} has no rewards to withdraw")
    emit_withdraw(ctx, signer, total + commission, f"delegations:{total},commission:{commission}")


HANDLERS = {
    "create_validator": handle_create_validator, "delegate": handle_delegate,
    "undelegate": handle_undelegate, "redelegate": handle_redelegate,
    "unjail": handle_unjail, "withdraw_rewards": handle_withdraw,
    "edit_validator": handle_edit_validator,
}
VALIDATORS = {
    "create_validator": validate_create_validator, "delegate": validate_delegate,
    "undelegate": validate_delegate, "redelegate": validate_redelegate,
    "unjail": _nothing, "withdraw_rewards": _nothing, "edit_validator": validate_edit_validator,
}


# -- the council's emergency override ------------------------------------------------------------

def _validate_override(o: tx_pb2.ValidatorOverride) -> None:
    _check_operator_address(o.operator, "operator")


def _override(ctx: Ctx, o: tx_pb2.ValidatorOverride, remove_for_good: bool) -> None:
    op = _open_operator(ctx, o.operator)
    vset = get_validators(ctx.store)
    if op.pub_key in vset and len(vset) == 1:
        raise TxError(Code.VALIDATOR_UPDATE_INVALID, "cannot take out the last validator")
    op.jailed = True
    if remove_for_good:
        op.tombstoned = True
        op.jailed_until = _NEVER
    else:
        op.jailed_until = ctx.height + ctx.params.jail_blocks
    take_out(ctx, op)
    set_operator(ctx.store, op)


ACTIONS = {
    "jail_validator": (_validate_override, lambda ctx, o: _override(ctx, o, False)),
    "remove_validator": (_validate_override, lambda ctx, o: _override(ctx, o, True)),
}

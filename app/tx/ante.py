"""The ante checks every tx passes before its messages run, and running a whole tx.

``deliver`` is the one way a tx runs, in a block being built, verified or finalized and on the
mempool's check state: a refused tx (codes 1-19) changes nothing; a failed message keeps only
the fee and the nonce. Callers that need all or nothing (CheckTx, PrepareProposal) revert a
failed tx themselves.
"""

from __future__ import annotations

from typing import NamedTuple

from app.context import Ctx
from app.errors import Code, TxError
from app.events import Event
from app.modules import pt
from app.modules.router import HANDLERS
from app.tx.codec import DecodedTx


class TxResult(NamedTuple):
    code: int
    log: str = ""
    events: tuple[Event, ...] | list[Event] = ()


def min_fee(ctx: Ctx, size: int) -> int:
    p = ctx.params
    return p.base_fee + p.fee_per_byte * size


def charge(ctx: Ctx, dtx: DecodedTx) -> None:
    """Ante: timeout, nonce, fee and frozen checks, then take the fee and the nonce.

    Raises TxError before writing anything, so a refused tx changes no state.
    """
    if dtx.timeout_height and ctx.height > dtx.timeout_height:
        raise TxError(Code.TX_TIMEOUT, f"height {ctx.height} is past timeout_height "
                      f"{dtx.timeout_height}")
    acct = pt.get_account(ctx.store, dtx.signer)
    if dtx.nonce != acct.nonce:
        code = Code.NONCE_TOO_LOW if dtx.nonce < acct.nonce else Code.NONCE_TOO_HIGH
        raise TxError(code, f"nonce {dtx.nonce}, expected {acct.nonce}")
    fee = dtx.fee
    need = min_fee(ctx, dtx.size)
    if fee < need:
        raise TxError(Code.FEE_TOO_LOW, f"fee {fee} below the minimum {need} for "
                      f"{dtx.size} bytes")
    if acct.frozen:
        raise TxError(Code.SENDER_FROZEN, "sender account is frozen")
    if acct.balance < fee:
        raise TxError(Code.INSUFFICIENT_FEE_FUNDS, f"balance {acct.balance} cannot pay fee {fee}")
    pt.collect_fee(ctx, dtx.signer, acct, fee)


def run_messages(ctx: Ctx, dtx: DecodedTx) -> None:
    signer = dtx.signer
    ctx.tx_hash = dtx.hash
    for i, (kind, msg) in enumerate(dtx.msgs):
        ctx.msg_index = i
        try:
            HANDLERS[kind](ctx, signer, msg)
        except TxError as e:
            raise TxError(e.code, f"message {i} ({kind}): {e.log}") from None


def deliver(ctx: Ctx, dtx: DecodedTx) -> TxResult:
    """Run one tx: ante, then its messages."""
    ctx.events = []
    try:
        charge(ctx, dtx)
    except TxError as e:
        return TxResult(e.code, e.log)
    cp = ctx.checkpoint()
    try:
        run_messages(ctx, dtx)
    except TxError as e:
        ctx.revert(cp)  # keeps the fee, the nonce and the fee event
        return TxResult(e.code, e.log, ctx.events)
    ctx.release(cp)
    return TxResult(0, "", ctx.events)


def deliver_all_or_nothing(ctx: Ctx, dtx: DecodedTx) -> TxResult:
    """``deliver``, but a tx that does not fully succeed leaves no trace, fee and nonce
    included (the mempool's check state, a proposal being built). Nor does one whose
    execution raises: the exception goes on, the state is as before the tx."""
    ctx.events = []
    cp = ctx.checkpoint()
    try:
        res = deliver(ctx, dtx)
    except BaseException:
        ctx.revert(cp)
        raise
    if res.code:
        ctx.revert(cp)
    else:
        ctx.release(cp)
    return res

"""Payment Token: accounts (balance, nonce, KYC fields, frozen flag), supply, Send, MultiSend.

Keys in shard ``pt``: ``acc/<20-byte address>`` -> Account, ``supply`` -> Supply. The
treasury is the keyless module account ``module_address("treasury")``.

Fees collect in ``Ctx.fees`` and reach the treasury's balance in ``flush_fees``: at the end of
every block, and before anything that decides on the treasury's balance (a burn). Credits
commute, so other credits to the treasury need no flush.
"""

from __future__ import annotations

from app import events
from app.context import KV, Ctx
from app.crypto import ADDRESS_LEN, module_address, to_bech32
from app.errors import Code, TxError
from app.params import MAX_SUPPLY, TIERS
from app.pb import state_pb2, tx_pb2

SHARD = "pt"
ACCOUNT_PREFIX = b"acc/"
SUPPLY_KEY = b"supply"
TREASURY = module_address("treasury")
# Keyless accounts of the trade modules: the purchase escrow (holds exactly the value of the
# open purchases, so plain transfers may not pay into it) and the Foundation reserve (pays FT
# conversions).
ESCROW = module_address("escrow")
RESERVE = module_address("reserve")
MODULE_ACCOUNTS = (TREASURY, ESCROW, RESERVE)

_Account = state_pb2.Account
_Supply = state_pb2.Supply


def account_key(address: bytes) -> bytes:
    return ACCOUNT_PREFIX + address


def get_account(store: KV, address: bytes) -> state_pb2.Account:
    raw = store.get(SHARD, ACCOUNT_PREFIX + address)
    return _Account.FromString(raw) if raw is not None else _Account()


def set_account(store: KV, address: bytes, account: state_pb2.Account) -> None:
    store.set(SHARD, ACCOUNT_PREFIX + address, account.SerializeToString())


def get_supply(store: KV) -> int:
    raw = store.get(SHARD, SUPPLY_KEY)
    return _Supply.FromString(raw).total if raw is not None else 0


def set_supply(store: KV, total: int) -> None:
    store.set(SHARD, SUPPLY_KEY, _Supply(total=total).SerializeToString())


def credit(store: KV, address: bytes, amount: int) -> None:
    acct = get_account(store, address)
    new = acct.balance + amount
    if new > MAX_SUPPLY:
        raise TxError(Code.AMOUNT_OVERFLOW, f"balance of {to_bech32(address)} would exceed the "
                      "maximum supply")
    acct.balance = new
    set_account(store, address, acct)


def flush_fees(ctx: Ctx) -> None:
    if ctx.fees:
        # Cannot overflow: the treasury's balance plus the fees is part of the bounded supply.
        credit(ctx.store, TREASURY, ctx.fees)
        ctx.fees = 0


# -- stateless checks (once per tx bytes) -------------------------------------------------------

def _check_amount(amount: int, what: str) -> None:
    if amount == 0:
        raise TxError(Code.TX_INVALID, f"{what} must be positive")
    if amount > MAX_SUPPLY:
        raise TxError(Code.AMOUNT_TOO_LARGE, f"{what} exceeds the maximum supply")


def _check_address(address: bytes, what: str) -> None:
    if len(address) != ADDRESS_LEN:
        raise TxError(Code.TX_INVALID, f"{what} must be a {ADDRESS_LEN}-byte address")
    if address == ESCROW:
        raise TxError(Code.TX_INVALID, f"{what} is the purchase escrow, which only purchases "
                      "pay into")


def validate_send(msg: tx_pb2.MsgSend) -> None:
    _check_address(msg.to, "send.to")
    _check_amount(msg.amount, "send.amount")


def validate_multi_send(msg: tx_pb2.MsgMultiSend) -> None:
    if not msg.outputs:
        raise TxError(Code.TX_INVALID, "multi_send needs at least one output")
    total = 0
    for i, out in enumerate(msg.outputs):
        _check_address(out.address, f"multi_send.outputs[{i}].address")
        _check_amount(out.amount, f"multi_send.outputs[{i}].amount")
        total += out.amount
    _check_amount(msg.input, "multi_send.input")
    if total != msg.input:
        raise TxError(Code.TX_INVALID, f"multi_send outputs sum to {total}, input is {msg.input}")


# -- handlers ----------------------------------------------------------------------------------

def _check_sender(ctx: Ctx, sender: state_pb2.Account, total: int, largest: int) -> None:
    p = ctx.params
    limit = p.tier_limits[sender.tier]
    if largest > limit:
        raise TxError(Code.TIER_LIMIT, f"{TIERS[sender.tier]} tier allows at most {limit} per "
                      f"transfer, got {largest}")
    if sender.balance < total:
        raise TxError(Code.INSUFFICIENT_FUNDS, f"balance {sender.balance} < amount {total}")
    if p.blocked_jurisdictions and sender.jurisdiction in p.blocked_jurisdictions:
        raise TxError(Code.JURISDICTION_BLOCKED, f"sender jurisdiction {sender.jurisdiction} is "
                      "blocked")


def _receive(ctx: Ctx, address: bytes, amount: int) -> None:
    acct = get_account(ctx.store, address)
    if acct.frozen:
        raise TxError(Code.RECIPIENT_FROZEN, f"recipient {to_bech32(address)} is frozen")
    p = ctx.params
    if p.blocked_jurisdictions and acct.jurisdiction in p.blocked_jurisdictions:
        raise TxError(Code.JURISDICTION_BLOCKED, f"recipient jurisdiction {acct.jurisdiction} "
                      "is blocked")
    new = acct.balance + amount
    if new > MAX_SUPPLY:
        raise TxError(Code.AMOUNT_OVERFLOW, f"balance of {to_bech32(address)} would exceed the "
                      "maximum supply")
    acct.balance = new
    set_account(ctx.store, address, acct)


receive = _receive  # crediting with the recipient checks, for the trade and FT modules


def handle_send(ctx: Ctx, signer: bytes, msg: tx_pb2.MsgSend) -> None:
    store = ctx.store
    sender = get_account(store, signer)
    amount = msg.amount
    _check_sender(ctx, sender, amount, amount)
    sender.balance -= amount
    set_account(store, signer, sender)
    _receive(ctx, msg.to, amount)  # after the debit, so a send to oneself nets to zero
    ctx.emit(events.transfer, signer, msg.to, amount)


def handle_multi_send(ctx: Ctx, signer: bytes, msg: tx_pb2.MsgMultiSend) -> None:
    p = ctx.params
    if len(msg.outputs) > p.max_multisend_outputs:
        raise TxError(Code.TOO_MANY_OUTPUTS, f"{len(msg.outputs)} outputs; params allow "
                      f"{p.max_multisend_outputs}")
    store = ctx.store
    sender = get_account(store, signer)
    # The tier limit applies to what the sender moves in one message, not to each output.
    _check_sender(ctx, sender, msg.input, msg.input)
    sender.balance -= msg.input
    set_account(store, signer, sender)
    for out in msg.outputs:
        _receive(ctx, out.address, out.amount)
        ctx.emit(events.transfer, signer, out.address, out.amount)


HANDLERS = {"send": handle_send, "multi_send": handle_multi_send}
VALIDATORS = {"send": validate_send, "multi_send": validate_multi_send}

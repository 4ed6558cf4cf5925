"""Payment Token: the PT keeper. Accounts (balance, nonce, KYC fields, frozen flag), the
supply, the module accounts, and the messages Send and MultiSend.

This module is the only writer of shard ``pt``. Other modules read accounts freely and move
PT only through the narrow interface below:

- ``transfer`` moves PT between two accounts (never creates any), checking the recipient
  unless told not to (refunds return a buyer's own PT whatever the buyer's state);
- ``collect_fee`` takes a tx's fee and nonce (the ante);
- ``mint`` / ``burn`` change the supply through the treasury: granted to governance only
  (a test of the imports checks that no other module calls them);
- ``set_entity`` / ``set_frozen`` record the council's KYC decisions.

Keys: ``acc/<20-byte address>`` -> Account, ``supply`` -> Supply. The treasury, the purchase
escrow, the Foundation reserve and staking's bonded, unbonding and rewards pools are keyless
module accounts. Fees collect in ``Ctx.fees`` and reach the rewards pool in ``flush_fees`` at
the end of every block (one write instead of one per tx); staking then pays them out to the
signers of the previous block and the treasury's community share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

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
# Staking's pools: bonded stake, stake unbonding, rewards not yet paid (the stake module keeps
# each equal to the sum of its records, so plain transfers may not pay into them either).
BONDED = module_address("bonded")
UNBONDING = module_address("unbonding")
REWARDS = module_address("rewards")
MODULE_ACCOUNTS = (TREASURY, ESCROW, RESERVE, BONDED, UNBONDING, REWARDS)
_CLOSED = {ESCROW: "the purchase escrow, which only purchases pay into",
           BONDED: "staking's bonded pool, which only delegations pay into",
           UNBONDING: "staking's unbonding pool", REWARDS: "staking's rewards pool"}

_Account = state_pb2.Account
_Supply = state_pb2.Supply


def account_key(address: bytes) -> bytes:
    return ACCOUNT_PREFIX + address


# -- reads (any module) --------------------------------------------------------------------------

def get_account(store: KV, address: bytes) -> state_pb2.Account:
    raw = store.get(SHARD, ACCOUNT_PREFIX + address)
    return _Account.FromString(raw) if raw is not None else _Account()


def get_supply(store: KV) -> int:
    raw = store.get(SHARD, SUPPLY_KEY)
    return _Supply.FromString(raw).total if raw is not None else 0


# -- writes (this module only) -------------------------------------------------------------------

def _set_account(store: KV, address: bytes, account: state_pb2.Account) -> None:
    store.set(SHARD, ACCOUNT_PREFIX + address, account.SerializeToString())


def _set_supply(store: KV, total: int) -> None:
    store.set(SHARD, SUPPLY_KEY, _Supply(total=total).SerializeToString())


def _credit(store: KV, address: bytes, amount: int) -> None:
    acct = get_account(store, address)
    new = acct.balance + amount
    if new > MAX_SUPPLY:
        raise TxError(Code.AMOUNT_OVERFLOW, f"balance of {to_bech32(address)} would exceed the "
                      "maximum supply")
    acct.balance = new
    _set_account(store, address, acct)


def _receive(ctx: Ctx, address: bytes, amount: int) -> None:
    """Credit with the recipient checks: not frozen, jurisdiction not blocked."""
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
    _set_account(ctx.store, address, acct)


def flush_fees(ctx: Ctx) -> int:
    """Credit the block's fees to the rewards pool; return them."""
    fees = ctx.fees
    if fees:
        # Cannot overflow: the pool's balance plus the fees is part of the bounded supply.
        _credit(ctx.store, REWARDS, fees)
        ctx.fees = 0
    return fees


# -- the keeper's interface ----------------------------------------------------------------------

ShortError = Callable[[int], Exception]  # builds the error for a balance that is too small


def transfer(ctx: Ctx, sender: bytes, recipient: bytes, amount: int, short: ShortError, *,
             check_recipient: bool = True) -> None:
    """Move ``amount`` from ``sender`` to ``recipient`` and emit ``transfer``; ``short(balance)``
    is raised if the sender holds less. Moves PT, never creates it."""
    store = ctx.store
    src = get_account(store, sender)
    if src.balance < amount:
        raise short(src.balance)
    src.balance -= amount
    _set_account(store, sender, src)
    if check_recipient:
        _receive(ctx, recipient, amount)
    else:
        _credit(store, recipient, amount)  # cannot overflow: part of the bounded supply
    ctx.emit(events.transfer, sender, recipient, amount)


def collect_fee(ctx: Ctx, signer: bytes, account: state_pb2.Account, fee: int) -> None:
    """Take the fee and use the nonce of ``account`` (the signer's, just read and checked by
    the ante)."""
    account.balance -= fee
    account.nonce += 1
    _set_account(ctx.store, signer, account)
    ctx.fees += fee  # credited to the rewards pool by flush_fees
    ctx.emit(events.fee, signer, fee)


def mint(ctx: Ctx, amount: int) -> None:
    """New PT into the treasury (governance only)."""
    total = get_supply(ctx.store) + amount
    if total > MAX_SUPPLY:
        raise TxError(Code.AMOUNT_OVERFLOW, "mint would take the supply above the maximum")
    _credit(ctx.store, TREASURY, amount)
    _set_supply(ctx.store, total)
    ctx.emit(events.supply, "mint", amount, total)


def burn(ctx: Ctx, amount: int) -> None:
    """PT out of the treasury and the supply (governance only)."""
    store = ctx.store
    treasury = get_account(store, TREASURY)
    if treasury.balance < amount:
        raise TxError(Code.INSUFFICIENT_TREASURY, f"treasury holds {treasury.balance}, burn "
                      f"{amount}")
    treasury.balance -= amount
    _set_account(store, TREASURY, treasury)
    total = get_supply(store) - amount
    _set_supply(store, total)
    ctx.emit(events.supply, "burn", amount, total)


def set_entity(store: KV, address: bytes, tier: int, jurisdiction: str, roles: int
               ) -> state_pb2.Account:
    acct = get_account(store, address)
    acct.tier, acct.jurisdiction, acct.roles = tier, jurisdiction, roles
    _set_account(store, address, acct)
    return acct


def set_frozen(store: KV, address: bytes, frozen: bool) -> state_pb2.Account:
    acct = get_account(store, address)
    acct.frozen = frozen
    _set_account(store, address, acct)
    return acct


def init_genesis(store: KV, accounts: Iterable[tuple[bytes, state_pb2.Account]], supply: int
                 ) -> None:
    """Genesis accounts (in address order) and the supply they add up to."""
    for address, account in accounts:
        _set_account(store, address, account)
    _set_supply(store, supply)


# -- stateless checks (once per tx bytes) -------------------------------------------------------

def _check_amount(amount: int, what: str) -> None:
    if amount == 0:
        raise TxError(Code.TX_INVALID, f"{what} must be positive")
    if amount > MAX_SUPPLY:
        raise TxError(Code.AMOUNT_TOO_LARGE, f"{what} exceeds the maximum supply")


def _check_address(address: bytes, what: str) -> None:
    if len(address) != ADDRESS_LEN:
        raise TxError(Code.TX_INVALID, f"{what} must be a {ADDRESS_LEN}-byte address")
    if address in _CLOSED:
        raise TxError(Code.TX_INVALID, f"{what} is {_CLOSED[address]}")


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

def _check_sender(ctx: Ctx, sender: state_pb2.Account, total: int) -> None:
    """A sender's tier limit, balance and jurisdiction for moving ``total`` in one message."""
    p = ctx.params
    limit = p.tier_limits[sender.tier]
    if total > limit:
        raise TxError(Code.TIER_LIMIT, f"{TIERS[sender.tier]} tier allows at most {limit} per "
                      f"transfer, got {total}")
    if sender.balance < total:
        raise TxError(Code.INSUFFICIENT_FUNDS, f"balance {sender.balance} < amount {total}")
    if p.blocked_jurisdictions and sender.jurisdiction in p.blocked_jurisdictions:
        raise TxError(Code.JURISDICTION_BLOCKED, f"sender jurisdiction {sender.jurisdiction} is "
                      "blocked")


def handle_send(ctx: Ctx, signer: bytes, msg: tx_pb2.MsgSend) -> None:
    store = ctx.store
    sender = get_account(store, signer)
    amount = msg.amount
    _check_sender(ctx, sender, amount)
    sender.balance -= amount
    _set_account(store, signer, sender)
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
    _check_sender(ctx, sender, msg.input)
    sender.balance -= msg.input
    _set_account(store, signer, sender)
    for out in msg.outputs:
        _receive(ctx, out.address, out.amount)
        ctx.emit(events.transfer, signer, out.address, out.amount)


HANDLERS = {"send": handle_send, "multi_send": handle_multi_send}
VALIDATORS = {"send": validate_send, "multi_send": validate_multi_send}

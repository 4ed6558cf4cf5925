"""Foundation Token (shard ``ft``): the sovereign registry, FT issuance at settlement, and
``ConvertFT`` into PT paid from the Foundation reserve.

Keys: ``sov/<address>`` -> Sovereign (registry entry, FT balance and totals), ``supply`` ->
FtSupply (issued, converted; the supply is their difference), ``iss/<address><height><seq>``
-> Issuance, ``cnv/<address><height><seq>`` -> Conversion (heights and sequence numbers are
8-byte big endian, so one sovereign's records are ordered by height: the rolling conversion
window is one bounded range read).

FT is not transferable: there is no message that moves it. It is issued only by a settled
purchase and leaves only by conversion. The registry follows the sovereign role that the
council grants (``on_entity``); a sovereign that loses the role keeps its record and FT but can
no longer convert or be named as an origin. The reserve is the keyless PT account
``module_address("reserve")``, funded at genesis and by the council's ``fund_reserve``.
"""

from __future__ import annotations

from app import events
from app.context import KV, Ctx
from app.crypto import to_bech32
from app.errors import Code, TxError
from app.keys import u64
from app.modules import pt
from app.params import MAX_SUPPLY, ROLES
from app.pb import state_pb2, tx_pb2

SHARD = "ft"
SOVEREIGN_PREFIX = b"sov/"
SUPPLY_KEY = b"supply"
ISSUANCE_PREFIX = b"iss/"
CONVERSION_PREFIX = b"cnv/"
RESERVE = pt.RESERVE
_SOVEREIGN_ROLE = ROLES["sovereign"]
_BPS = 10_000

_Sovereign = state_pb2.Sovereign
_Supply = state_pb2.FtSupply


def sovereign_key(address: bytes) -> bytes:
    return SOVEREIGN_PREFIX + address


def get_sovereign(store: KV, address: bytes) -> state_pb2.Sovereign | None:
    raw = store.get(SHARD, SOVEREIGN_PREFIX + address)
    return _Sovereign.FromString(raw) if raw is not None else None


def _set_sovereign(store: KV, address: bytes, s: state_pb2.Sovereign) -> None:
    store.set(SHARD, SOVEREIGN_PREFIX + address, s.SerializeToString())


def get_supply(store: KV) -> state_pb2.FtSupply:
    raw = store.get(SHARD, SUPPLY_KEY)
    return _Supply.FromString(raw) if raw is not None else _Supply()


def is_active(store: KV, address: bytes) -> bool:
    s = get_sovereign(store, address)
    return s is not None and s.active


def record_key(prefix: bytes, address: bytes, height: int, seq: int) -> bytes:
    return prefix + address + u64(height) + u64(seq)


def on_entity(store: KV, height: int, address: bytes, acct: state_pb2.Account) -> None:
    """Keep the registry in step with the sovereign role (council entity actions, genesis)."""
    s = get_sovereign(store, address)
    holds = bool(acct.roles & _SOVEREIGN_ROLE)
    if s is None:
        if not holds:
            return
        s = _Sovereign(registered_height=height)
    elif s.active == holds and s.jurisdiction == acct.jurisdiction:
        return
    s.active = holds
    s.jurisdiction = acct.jurisdiction
    _set_sovereign(store, address, s)


def issue(ctx: Ctx, sovereign: bytes, purchase: bytes, commodity: str, value: int,
          rate_bps: int) -> int:
    """Mint value * rate_bps / 10,000 FT (rounded down) to ``sovereign``; returns the amount."""
    amount = value * rate_bps // _BPS
    if amount == 0:
        return 0
    store = ctx.store
    supply = get_supply(store)
    if supply.issued - supply.converted + amount > MAX_SUPPLY or supply.issued + amount >= 2**64:
        raise TxError(Code.AMOUNT_OVERFLOW, "FT supply would exceed the maximum supply")
    s = get_sovereign(store, sovereign) or _Sovereign()
    rec = state_pb2.Issuance(sovereign=sovereign, purchase=purchase, commodity=commodity,
                             value=value, rate_bps=rate_bps, amount=amount, height=ctx.height)
    store.set(SHARD, record_key(ISSUANCE_PREFIX, sovereign, ctx.height, s.issuances),
              rec.SerializeToString())
    s.balance += amount  # bounded by the FT supply, checked above
    s.issued += amount
    s.issuances += 1
    _set_sovereign(store, sovereign, s)
    supply.issued += amount
    store.set(SHARD, SUPPLY_KEY, supply.SerializeToString())
    ctx.emit(events.ft_issued, sovereign, amount, purchase)
    return amount


def converted_in_window(store: KV, address: bytes, height: int, window: int) -> int:
    """FT ``address`` converted in the last ``window`` blocks up to ``height``."""
    prefix = CONVERSION_PREFIX + address
    start = prefix + u64(max(height - window + 1, 0))
    return sum(state_pb2.Conversion.FromString(v).amount
               for _, v in store.iterate(SHARD, prefix, start=start))


# -- ConvertFT -----------------------------------------------------------------------------------

def validate_convert_ft(msg: tx_pb2.MsgConvertFT) -> None:
    if msg.amount == 0:
        raise TxError(Code.TX_INVALID, "convert_ft.amount must be positive")
    if msg.amount > MAX_SUPPLY:
        raise TxError(Code.AMOUNT_TOO_LARGE, "convert_ft.amount exceeds the maximum supply")


def handle_convert_ft(ctx: Ctx, signer: bytes, msg: tx_pb2.MsgConvertFT) -> None:
    store = ctx.store
    p = ctx.params
    s = get_sovereign(store, signer)
    if s is None or not s.active:
        raise TxError(Code.NOT_SOVEREIGN, f"{to_bech32(signer)} is not a registered sovereign")
    amount = msg.amount
    if s.balance < amount:
        raise TxError(Code.FT_INSUFFICIENT, f"FT balance {s.balance} < amount {amount}")
    pt_amount = amount * p.ft_conversion_rate_bps // _BPS
    if pt_amount == 0:
        raise TxError(Code.CONVERSION_TOO_SMALL, f"{amount} FT converts to 0 PT at "
                      f"{p.ft_conversion_rate_bps} bps")
    used = converted_in_window(store, signer, ctx.height, p.ft_conversion_window_blocks)
    if used + amount > p.ft_conversion_cap:
        raise TxError(Code.CONVERSION_CAP, f"{used} FT converted in the last "
                      f"{p.ft_conversion_window_blocks} blocks; cap {p.ft_conversion_cap}, "
                      f"asked {amount}")
    pt.transfer(ctx, RESERVE, signer, pt_amount, lambda held: TxError(
        Code.RESERVE_INSUFFICIENT, f"reserve holds {held} PT, conversion needs {pt_amount}"))
    rec = state_pb2.Conversion(sovereign=signer, amount=amount,
                               rate_bps=p.ft_conversion_rate_bps, pt_amount=pt_amount,
                               height=ctx.height)
    store.set(SHARD, record_key(CONVERSION_PREFIX, signer, ctx.height, s.conversions),
              rec.SerializeToString())
    s.balance -= amount
    s.converted += amount
    s.conversions += 1
    _set_sovereign(store, signer, s)
    supply = get_supply(store)
    supply.converted += amount
    store.set(SHARD, SUPPLY_KEY, supply.SerializeToString())
    ctx.emit(events.ft_converted, signer, amount, pt_amount)


# -- governance: funding the reserve -------------------------------------------------------------

def _validate_fund(a: tx_pb2.TreasuryAmount) -> None:
    if not 0 < a.amount <= MAX_SUPPLY:
        raise TxError(Code.TX_INVALID, "amount must be positive and at most the maximum supply")


def _fund_reserve(ctx: Ctx, a: tx_pb2.TreasuryAmount) -> None:
    pt.transfer(ctx, pt.TREASURY, RESERVE, a.amount, lambda held: TxError(
        Code.INSUFFICIENT_TREASURY, f"treasury holds {held}, fund_reserve {a.amount}"),
        check_recipient=False)
    ctx.emit(events.reserve, "fund", a.amount, pt.get_account(ctx.store, RESERVE).balance)


ACTIONS = {"fund_reserve": (_validate_fund, _fund_reserve)}
HANDLERS = {"convert_ft": handle_convert_ft}
VALIDATORS = {"convert_ft": validate_convert_ft}


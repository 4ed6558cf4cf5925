"""Oracle prices (shard ``oracle``): the oracle set, submissions, rounds, published prices and
their history.

Keys (heights and rounds 8-byte big endian):

- ``orc/<address>`` -> b"" and ``orc_count`` -> u64: the oracle set, kept in step with the
  oracle role the council grants (``on_entity``)
- ``sub/<round><code>\\x00<oracle>`` -> price u64: this round's submissions (deleted when the
  round is aggregated)
- ``px/<code>`` -> Price: the last published price, a suspect aggregate held back, the last
  round's outcome
- ``ph/<code>\\x00<height><round>`` -> PricePoint: every published price, by height

Round r is the blocks with height // oracle_round_blocks == r; a submission names the current
round. At the end of a round's last block each commodity with submissions is aggregated: if at
least 2/3 of the oracle set submitted (counting only oracles still in the set), the median
(the lower-middle and upper-middle mean, rounded down, for an even count) is the round's
aggregate; else the round fails and the last price simply ages. An aggregate that moves more
than ``oracle_max_deviation_bps`` from the current price is held as suspect and not published;
the next aggregate confirms it (published) if it lies within the bound of the suspect, is
published if it lies within the bound of the current price (the suspect is dropped), or else
becomes the new suspect. With no current price there is nothing to deviate from. A price
published more than ``oracle_max_age_rounds`` x ``oracle_round_blocks`` blocks ago is absent.
"""

from __future__ import annotations

from app import events
from app.context import KV, Ctx
from app.crypto import to_bech32
from app.errors import Code, TxError
from app.keys import u64
from app.modules import catalogue
from app.params import MAX_SUPPLY, ROLES
from app.pb import state_pb2, tx_pb2

SHARD = "oracle"
SET_PREFIX = b"orc/"
SET_COUNT_KEY = b"orc_count"
SUBMISSION_PREFIX = b"sub/"
PRICE_PREFIX = b"px/"
HISTORY_PREFIX = b"ph/"
_ORACLE = ROLES["oracle"]
_BPS = 10_000

_Price = state_pb2.Price


def price_key(code: str) -> bytes:
    return PRICE_PREFIX + code.encode("ascii")


def history_prefix(code: str) -> bytes:
    return HISTORY_PREFIX + code.encode("ascii") + b"\x00"


def get_price(store: KV, code: str) -> state_pb2.Price | None:
    raw = store.get(SHARD, price_key(code))
    return _Price.FromString(raw) if raw is not None else None


def set_count(store: KV) -> int:
    raw = store.get(SHARD, SET_COUNT_KEY)
    return int.from_bytes(raw, "big") if raw else 0


def in_set(store: KV, address: bytes) -> bool:
    return store.get(SHARD, SET_PREFIX + address) is not None


def on_entity(store: KV, height: int, address: bytes, acct: state_pb2.Account) -> None:
    """Keep the oracle set in step with the oracle role (council entity actions, genesis)."""
    holds = bool(acct.roles & _ORACLE)
    if holds == in_set(store, address):
        return
    if holds:
        store.set(SHARD, SET_PREFIX + address, b"")
    else:
        store.delete(SHARD, SET_PREFIX + address)
    store.set(SHARD, SET_COUNT_KEY, u64(set_count(store) + (1 if holds else -1)))


def current_round(ctx: Ctx) -> int:
    return ctx.height // ctx.params.oracle_round_blocks


def median(prices: list[int]) -> int:
    s = sorted(prices)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) // 2


def deviates(new: int, old: int, bound_bps: int) -> bool:
    return abs(new - old) * _BPS > bound_bps * old


def is_absent(price: state_pb2.Price | None, height: int, params: tx_pb2.Params) -> bool:
    """True if there is no price that may be reported as current at ``height``."""
    if price is None or price.height == 0:
        return True
    return height - price.height > params.oracle_max_age_rounds * params.oracle_round_blocks


# -- SubmitPrice ---------------------------------------------------------------------------------

def validate_submit(msg: tx_pb2.MsgSubmitPrice) -> None:
    if not catalogue.CODE_RE.match(msg.commodity):
        raise TxError(Code.TX_INVALID, "submit_price.commodity is not a commodity code")
    if not 0 < msg.price <= MAX_SUPPLY:
        raise TxError(Code.TX_INVALID, "submit_price.price must be positive and at most the "
                      "maximum supply")


def handle_submit(ctx: Ctx, signer: bytes, msg: tx_pb2.MsgSubmitPrice) -> None:
    store = ctx.store
    if not in_set(store, signer):
        raise TxError(Code.NOT_ORACLE, f"{to_bech32(signer)} is not in the oracle set")
    catalogue.require_active(store, msg.commodity)
    rnd = current_round(ctx)
    if msg.round != rnd:
        raise TxError(Code.ROUND_INVALID, f"round {msg.round} is not the current round {rnd}")
    key = SUBMISSION_PREFIX + u64(rnd) + msg.commodity.encode("ascii") + b"\x00" + signer
    if store.get(SHARD, key) is not None:
        raise TxError(Code.ALREADY_SUBMITTED, f"already submitted {msg.commodity} for round "
                      f"{rnd}")
    store.set(SHARD, key, u64(msg.price))


# -- end of round --------------------------------------------------------------------------------

def end_block(ctx: Ctx) -> None:
    """At the end of a round's last block, aggregate every commodity that had submissions."""
    if (ctx.height + 1) % ctx.params.oracle_round_blocks:
        return
    store = ctx.store
    groups: list[tuple[int, str, list[tuple[bytes, int]]]] = []
    keys: list[bytes] = []
    n = len(SUBMISSION_PREFIX)
    # Only this round's submissions exist unless the round length changed mid-round; any
    # earlier leftovers are aggregated under their own round number.
    for key, value in store.iterate(SHARD, SUBMISSION_PREFIX):
        keys.append(key)
        rnd = int.from_bytes(key[n:n + 8], "big")
        code = key[n + 8:-21].decode("ascii")
        if not groups or groups[-1][0] != rnd or groups[-1][1] != code:
            groups.append((rnd, code, []))
        groups[-1][2].append((key[-20:], int.from_bytes(value, "big")))
    for key in keys:
        store.delete(SHARD, key)
    for rnd, code, subs in groups:
        prices = [price for oracle, price in subs if in_set(store, oracle)]
        aggregate(ctx, code, rnd, prices)


def aggregate(ctx: Ctx, code: str, rnd: int, prices: list[int]) -> None:
    store = ctx.store
    params = ctx.params
    rec = get_price(store, code) or _Price(commodity=code)
    rec.last_round = rnd
    rec.last_submissions = len(prices)
    oracles = set_count(store)
    if not prices or 3 * len(prices) < 2 * oracles:
        rec.last_outcome = "failed"
        store.set(SHARD, price_key(code), rec.SerializeToString())
        ctx.emit(events.price, code, rnd, 0, "failed", len(prices))
        return
    value = median(prices)
    bound = params.oracle_max_deviation_bps
    if not is_absent(rec, ctx.height, params) and deviates(value, rec.price, bound) and (
        rec.suspect_price == 0 or deviates(value, rec.suspect_price, bound)
    ):
        rec.suspect_price = value
        rec.suspect_round = rnd
        rec.last_outcome = "suspect"
        store.set(SHARD, price_key(code), rec.SerializeToString())
        ctx.emit(events.price, code, rnd, value, "suspect", len(prices))
        return
    rec.price = value
    rec.round = rnd
    rec.height = ctx.height
    rec.suspect_price = rec.suspect_round = 0  # suspect_price 0: none (prices are positive)
    rec.last_outcome = "published"
    store.set(SHARD, price_key(code), rec.SerializeToString())
    point = state_pb2.PricePoint(height=ctx.height, round=rnd, price=value,
                                 submissions=len(prices))
    store.set(SHARD, history_prefix(code) + u64(ctx.height) + u64(rnd),
              point.SerializeToString())
    ctx.emit(events.price, code, rnd, value, "published", len(prices))


HANDLERS = {"submit_price": handle_submit}
VALIDATORS = {"submit_price": validate_submit}

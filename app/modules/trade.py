"""Commodity purchases (shard ``trade``): PT escrow, the purchase state machine, deadlines and
the council's dispute rulings.

Keys (heights 8-byte big endian, ids 16 bytes):

- ``pur/<id>`` -> Purchase; the id is SHA-256(tx hash || message index as u32)[:16]
- ``byb/<buyer><height><id>``, ``bys/<seller><height><id>`` -> b"": a party's purchases in
  the order they were made (list queries are range reads, never a scan of all purchases)
- ``dl/<height><id>`` -> b"": the pending deadline of an OPEN (ship_by) or SHIPPED
  (verify_by) purchase; the end of each block expires what is due, at most
  ``max_expiries_per_block`` of them (a backlog carries over to the next blocks, and the
  handlers check deadlines themselves, so a late step is refused even before its purchase
  has been expired)
- ``ver/<id>`` -> Verification (``verify`` owns it)

States: OPEN -> SHIPPED (``ConfirmShipment`` by the seller, at or before ship_by) -> VERIFIED
(every required kind approved, at or before verify_by) -> SETTLED in the same tx: the escrow
goes to the seller and value * ft_rate_bps / 10,000 FT is issued to the origin sovereign.
Side exits: DISPUTED (``Dispute`` by the buyer before VERIFIED; no deadline runs while the
council decides) -> REFUNDED (ruling for the buyer) or SETTLED (ruling for the seller; no FT,
as the delivery was not verified); REJECTED (a kind reached its quorum of rejections) and
EXPIRED (a deadline passed): the escrow goes back to the buyer. SETTLED, REFUNDED, REJECTED and
EXPIRED are terminal.

Every step checks every party: buyer and seller must be KYC-registered traders, the origin a
registered sovereign, none frozen, no jurisdiction blocked. The exceptions are the buyer's
``Dispute`` (how a buyer asks the council for help, e.g. when the seller is frozen) and
refunds, which return the buyer's own escrow whatever the buyer's state (on a frozen account it
stays frozen).

The escrow is the keyless PT account ``module_address("escrow")``; its balance is the sum of
the value of every purchase not yet in a terminal state, so the PT supply stays the sum of all
balances.
"""

from __future__ import annotations

from app import events
from app.context import KV, Ctx
from app.crypto import ADDRESS_LEN, to_bech32
from app.errors import Code, TxError
from app.keys import PURCHASE_ID_LEN, purchase_id, u64
from app.modules import catalogue, ft, pt, verify
from app.params import MAX_SUPPLY, ROLES, TIERS
from app.pb import state_pb2, tx_pb2

SHARD = "trade"
PURCHASE_PREFIX = b"pur/"
BUYER_INDEX = b"byb/"
SELLER_INDEX = b"bys/"
DEADLINE_PREFIX = b"dl/"
ID_LEN = PURCHASE_ID_LEN
ESCROW = pt.ESCROW
MAX_DOCUMENTS = 16
MAX_REASON = 512
_TRADER = ROLES["trader"]
_VERIFIER = ROLES["verifier"]

_P = state_pb2.PurchaseStatus
OPEN, SHIPPED, VERIFIED = _P.PURCHASE_STATUS_OPEN, _P.PURCHASE_STATUS_SHIPPED, \
    _P.PURCHASE_STATUS_VERIFIED
SETTLED, DISPUTED = _P.PURCHASE_STATUS_SETTLED, _P.PURCHASE_STATUS_DISPUTED
REJECTED, EXPIRED, REFUNDED = _P.PURCHASE_STATUS_REJECTED, _P.PURCHASE_STATUS_EXPIRED, \
    _P.PURCHASE_STATUS_REFUNDED
STATUS_NAMES = {OPEN: "open", SHIPPED: "shipped", VERIFIED: "verified", SETTLED: "settled",
                DISPUTED: "disputed", REJECTED: "rejected", EXPIRED: "expired",
                REFUNDED: "refunded"}
TERMINAL = frozenset((SETTLED, REJECTED, EXPIRED, REFUNDED))

_Purchase = state_pb2.Purchase


def purchase_key(pid: bytes) -> bytes:
    return PURCHASE_PREFIX + pid


def load(store: KV, pid: bytes) -> state_pb2.Purchase | None:
    raw = store.get(SHARD, PURCHASE_PREFIX + pid)
    return _Purchase.FromString(raw) if raw is not None else None


def load_required(store: KV, pid: bytes) -> state_pb2.Purchase:
    p = load(store, pid)
    if p is None:
        raise TxError(Code.PURCHASE_NOT_FOUND, f"no purchase {pid.hex()}")
    return p


def _save(store: KV, p: state_pb2.Purchase) -> None:
    store.set(SHARD, PURCHASE_PREFIX + p.id, p.SerializeToString())


def _deadline(p: state_pb2.Purchase) -> int | None:
    """The height whose end expires ``p`` in its current status, if any."""
    if p.status == OPEN:
        return p.ship_by
    if p.status == SHIPPED:
        return p.verify_by
    return None


def _deadline_key(height: int, pid: bytes) -> bytes:
    return DEADLINE_PREFIX + u64(height) + pid


def _emit(ctx: Ctx, p: state_pb2.Purchase, status: int, **extra: str) -> None:
    ctx.emit(events.purchase, p.id, p.buyer, p.seller, STATUS_NAMES[status], **extra)


# -- party checks --------------------------------------------------------------------------------

def _check_trader(ctx: Ctx, who: str, address: bytes, acct: state_pb2.Account) -> None:
    if acct.frozen:
        raise TxError(Code.PARTY_FROZEN, f"{who} {to_bech32(address)} is frozen")
    if acct.tier == tx_pb2.KYC_TIER_NONE or not acct.roles & _TRADER:
        raise TxError(Code.NOT_KYC_TRADER, f"{who} {to_bech32(address)} is not a KYC-registered "
                      f"trader (tier {TIERS[acct.tier]})")
    blocked = ctx.params.blocked_jurisdictions
    if blocked and acct.jurisdiction in blocked:
        raise TxError(Code.JURISDICTION_BLOCKED, f"{who} jurisdiction {acct.jurisdiction} is "
                      "blocked")


def _check_sovereign(ctx: Ctx, address: bytes) -> None:
    if not ft.is_active(ctx.store, address):
        raise TxError(Code.NOT_SOVEREIGN, f"origin {to_bech32(address)} is not a registered "
                      "sovereign")
    acct = pt.get_account(ctx.store, address)
    if acct.frozen:
        raise TxError(Code.PARTY_FROZEN, f"origin sovereign {to_bech32(address)} is frozen")
    blocked = ctx.params.blocked_jurisdictions
    if blocked and acct.jurisdiction in blocked:
        raise TxError(Code.JURISDICTION_BLOCKED, f"origin jurisdiction {acct.jurisdiction} is "
                      "blocked")


def check_parties(ctx: Ctx, p: state_pb2.Purchase) -> None:
    store = ctx.store
    _check_trader(ctx, "buyer", p.buyer, pt.get_account(store, p.buyer))
    _check_trader(ctx, "seller", p.seller, pt.get_account(store, p.seller))
    _check_sovereign(ctx, p.origin_sovereign)


# -- escrow and closing --------------------------------------------------------------------------

def _release(ctx: Ctx, p: state_pb2.Purchase, to: bytes, *, checked: bool) -> None:
    """Pay the purchase's escrow to ``to`` (with the recipient checks if ``checked``)."""
    # The escrow holds every open purchase's value: falling short is a bug, not a tx error.
    pt.transfer(ctx, ESCROW, to, p.value, lambda held: RuntimeError(
        f"escrow holds {held}, purchase {p.id.hex()} needs {p.value}"), check_recipient=checked)


def _close(ctx: Ctx, p: state_pb2.Purchase, status: int, outcome: str) -> None:
    due = _deadline(p)
    if due is not None:
        ctx.store.delete(SHARD, _deadline_key(due, p.id))
    p.status = status
    p.closed_height = ctx.height
    p.outcome = outcome
    _save(ctx.store, p)
    _emit(ctx, p, status, outcome=outcome)


def settle(ctx: Ctx, p: state_pb2.Purchase, outcome: str) -> None:
    """Escrow to the seller; FT to the origin sovereign if the delivery was verified."""
    _release(ctx, p, p.seller, checked=True)
    if p.verified_height:
        p.ft_issued = ft.issue(ctx, p.origin_sovereign, p.id, p.commodity, p.value,
                               p.ft_rate_bps)
    _close(ctx, p, SETTLED, outcome)


def refund(ctx: Ctx, p: state_pb2.Purchase, status: int, outcome: str) -> None:
    """Escrow back to the buyer, whatever the buyer's state: it is the buyer's own PT."""
    _release(ctx, p, p.buyer, checked=False)
    _close(ctx, p, status, outcome)


# -- messages: stateless checks ------------------------------------------------------------------

def _invalid(text: str) -> TxError:
    return TxError(Code.TX_INVALID, text)


def validate_create(msg: tx_pb2.MsgCreatePurchase) -> None:
    if len(msg.seller) != ADDRESS_LEN:
        raise _invalid("create_purchase.seller must be a 20-byte address")
    if len(msg.origin_sovereign) != ADDRESS_LEN:
        raise _invalid("create_purchase.origin_sovereign must be a 20-byte address")
    if not catalogue.CODE_RE.match(msg.commodity):
        raise _invalid("create_purchase.commodity is not a commodity code")
    if msg.quantity == 0 or msg.unit_price == 0:
        raise _invalid("create_purchase.quantity and unit_price must be positive")
    if msg.unit_price > MAX_SUPPLY:
        raise TxError(Code.AMOUNT_TOO_LARGE, "create_purchase.unit_price exceeds the maximum "
                      "supply")
    if not 0 < msg.ship_by <= msg.verify_by:
        raise _invalid("create_purchase needs 0 < ship_by <= verify_by")


def _check_id(pid: bytes, what: str) -> None:
    if len(pid) != ID_LEN:
        raise _invalid(f"{what} must be a {ID_LEN}-byte purchase id")


def validate_ship(msg: tx_pb2.MsgConfirmShipment) -> None:
    _check_id(msg.id, "confirm_shipment.id")
    if not 0 < len(msg.document_hashes) <= MAX_DOCUMENTS:
        raise _invalid(f"confirm_shipment needs 1 to {MAX_DOCUMENTS} document hashes")
    if any(len(h) != 32 for h in msg.document_hashes):
        raise _invalid("confirm_shipment.document_hashes must be 32 bytes each")


def validate_dispute(msg: tx_pb2.MsgDispute) -> None:
    _check_id(msg.id, "dispute.id")
    if not 0 < len(msg.reason.encode()) <= MAX_REASON:
        raise _invalid(f"dispute.reason must be 1-{MAX_REASON} bytes")


# -- messages: handlers --------------------------------------------------------------------------

def handle_create(ctx: Ctx, signer: bytes, msg: tx_pb2.MsgCreatePurchase) -> None:
    store = ctx.store
    params = ctx.params
    com = catalogue.require_active(store, msg.commodity)
    if signer == msg.seller:
        raise TxError(Code.SELF_TRADE, "buyer and seller are the same account")
    buyer = pt.get_account(store, signer)
    _check_trader(ctx, "buyer", signer, buyer)
    _check_trader(ctx, "seller", msg.seller, pt.get_account(store, msg.seller))
    _check_sovereign(ctx, msg.origin_sovereign)
    if not ctx.height < msg.ship_by <= msg.verify_by <= ctx.height + params.max_deadline_blocks:
        raise TxError(Code.DEADLINE_INVALID, f"need {ctx.height} < ship_by {msg.ship_by} <= "
                      f"verify_by {msg.verify_by} <= {ctx.height + params.max_deadline_blocks}")
    value = msg.quantity * msg.unit_price // 10**com.decimals
    if value == 0:
        raise TxError(Code.PURCHASE_VALUE_INVALID, f"{msg.quantity} x {msg.unit_price} / "
                      f"10^{com.decimals} is 0 PT")
    if value > MAX_SUPPLY:
        raise TxError(Code.AMOUNT_OVERFLOW, f"purchase value {value} exceeds the maximum supply")
    limit = params.tier_limits[buyer.tier]
    if value > limit:
        raise TxError(Code.TIER_LIMIT, f"{TIERS[buyer.tier]} tier allows at most {limit} per "
                      f"transfer, purchase value {value}")
    pt.transfer(ctx, signer, ESCROW, value, lambda held: TxError(
        Code.INSUFFICIENT_FUNDS, f"balance {held} < purchase value {value}"),
        check_recipient=False)
    pid = purchase_id(ctx.tx_hash, ctx.msg_index)
    p = _Purchase(
        id=pid, buyer=signer, seller=msg.seller, commodity=msg.commodity,
        quantity=msg.quantity, unit_price=msg.unit_price, value=value,
        origin_sovereign=msg.origin_sovereign, ship_by=msg.ship_by, verify_by=msg.verify_by,
        status=OPEN, ft_rate_bps=com.ft_rate_bps, requirements=com.requirements,
        created_height=ctx.height, create_tx=ctx.tx_hash,
    )
    _save(store, p)
    height = u64(ctx.height)
    store.set(SHARD, BUYER_INDEX + signer + height + pid, b"")
    store.set(SHARD, SELLER_INDEX + msg.seller + height + pid, b"")
    store.set(SHARD, _deadline_key(msg.ship_by, pid), b"")
    _emit(ctx, p, OPEN, commodity=p.commodity, value=str(value))


def handle_ship(ctx: Ctx, signer: bytes, msg: tx_pb2.MsgConfirmShipment) -> None:
    store = ctx.store
    p = load_required(store, msg.id)
    if signer != p.seller:
        raise TxError(Code.NOT_AUTHORIZED, "only the seller may confirm shipment")
    if p.status != OPEN:
        raise TxError(Code.WRONG_STATUS, f"purchase is {STATUS_NAMES[p.status]}, not open")
    if ctx.height > p.ship_by:
        raise TxError(Code.DEADLINE_PASSED, f"ship_by {p.ship_by} has passed")
    check_parties(ctx, p)
    store.delete(SHARD, _deadline_key(p.ship_by, p.id))
    store.set(SHARD, _deadline_key(p.verify_by, p.id), b"")
    p.status = SHIPPED
    p.shipped_height = ctx.height
    p.document_hashes.extend(msg.document_hashes)
    _save(store, p)
    verify.open_requests(store, p, ctx.height)
    _emit(ctx, p, SHIPPED)


def handle_attest(ctx: Ctx, signer: bytes, msg: tx_pb2.MsgAttest) -> None:
    store = ctx.store
    if not pt.get_account(store, signer).roles & _VERIFIER:
        raise TxError(Code.NOT_VERIFIER, f"{to_bech32(signer)} does not hold the verifier role")
    p = load_required(store, msg.purchase)
    if signer in (p.buyer, p.seller, p.origin_sovereign):
        raise TxError(Code.NOT_AUTHORIZED, "a party to the purchase cannot attest it")
    if p.status != SHIPPED:
        raise TxError(Code.WRONG_STATUS, f"purchase is {STATUS_NAMES[p.status]}, not shipped")
    if ctx.height > p.verify_by:
        raise TxError(Code.DEADLINE_PASSED, f"verify_by {p.verify_by} has passed")
    check_parties(ctx, p)
    outcome = verify.record(ctx, p.id, signer, msg)
    if outcome is verify.Outcome.REJECTED:
        kind = catalogue.KINDS[msg.kind]
        refund(ctx, p, REJECTED, f"rejected: {kind}")
    elif outcome is verify.Outcome.VERIFIED:
        p.verified_height = ctx.height
        _emit(ctx, p, VERIFIED)
        settle(ctx, p, "verified")


def handle_dispute(ctx: Ctx, signer: bytes, msg: tx_pb2.MsgDispute) -> None:
    store = ctx.store
    p = load_required(store, msg.id)
    if signer != p.buyer:
        raise TxError(Code.NOT_AUTHORIZED, "only the buyer may dispute a purchase")
    due = _deadline(p)
    if due is None:
        raise TxError(Code.WRONG_STATUS, f"purchase is {STATUS_NAMES[p.status]}; only open or "
                      "shipped purchases can be disputed")
    if ctx.height > due:
        raise TxError(Code.DEADLINE_PASSED, f"deadline {due} has passed")
    store.delete(SHARD, _deadline_key(due, p.id))
    p.status = DISPUTED
    p.dispute_reason = msg.reason
    _save(store, p)
    _emit(ctx, p, DISPUTED, reason=msg.reason)


# -- governance: dispute rulings -----------------------------------------------------------------

def _validate_ruling(r: tx_pb2.DisputeRuling) -> None:
    _check_id(r.purchase, "resolve_dispute.purchase")
    if r.in_favor_of not in (tx_pb2.PARTY_BUYER, tx_pb2.PARTY_SELLER):
        raise _invalid("resolve_dispute.in_favor_of must be buyer or seller")


def _resolve(ctx: Ctx, r: tx_pb2.DisputeRuling) -> None:
    p = load_required(ctx.store, r.purchase)
    if p.status != DISPUTED:
        raise TxError(Code.WRONG_STATUS, f"purchase is {STATUS_NAMES[p.status]}, not disputed")
    if r.in_favor_of == tx_pb2.PARTY_BUYER:
        refund(ctx, p, REFUNDED, "ruling: buyer")
    else:
        check_parties(ctx, p)
        settle(ctx, p, "ruling: seller")


ACTIONS = {"resolve_dispute": (_validate_ruling, _resolve)}


# -- end of block: deadlines ---------------------------------------------------------------------

def end_block(ctx: Ctx) -> None:
    """Expire (and refund) the purchases whose deadline has passed, oldest first, at most
    ``max_expiries_per_block``."""
    store = ctx.store
    limit = ctx.params.max_expiries_per_block
    height = ctx.height
    due: list[bytes] = []
    for key, _ in store.iterate(SHARD, DEADLINE_PREFIX):
        if len(due) >= limit or int.from_bytes(key[3:11], "big") > height:
            break
        due.append(key)
    for key in due:
        store.delete(SHARD, key)
        p = load(store, key[11:])
        if p is None:
            continue
        deadline = _deadline(p)
        if deadline is None or deadline > height:  # moved on since it was indexed
            continue
        what = "shipped" if p.status == OPEN else "verified"
        refund(ctx, p, EXPIRED, f"not {what} by {deadline}")


HANDLERS = {"create_purchase": handle_create, "confirm_shipment": handle_ship,
            "attest": handle_attest, "dispute": handle_dispute}
VALIDATORS = {"create_purchase": validate_create, "confirm_shipment": validate_ship,
              "attest": verify.validate_attest, "dispute": validate_dispute}

"""Query paths of the trade, oracle and FT modules.

One record per path (each with a proof on request):

- ``/purchase/<id>`` -> Purchase, ``/verification/<id>`` -> Verification (ids: 32 hex digits)
- ``/price/<code>`` -> Price (info says whether it is current or absent at that height)
- ``/ft/<fic1...>`` -> Sovereign rendered as an FT balance (zeros for any other address)
- ``/sovereign/<fic1...>`` -> Sovereign, ``/ft_supply`` -> FtSupply, ``/commodity/<code>``

Lists, at most ``limit`` records (default 100, at most 500), ascending; ``value`` is a
KeyValues message of the listed records and, with ``prove``, the proof ops are one
(``fictra:smt``, ``fictra:app``) pair per record in the same order (``app.query.listproof``
checks them). Each record is proven; that the list is complete is not. ``info.next`` is the
``after`` cursor of the next page, or null:

- ``/purchases/by_buyer/<fic1...>``, ``/purchases/by_seller/<fic1...>`` (``?from=<height>``:
  made at or after that height) -> Purchase records
- ``/price_history/<code>?from=&to=`` (heights, inclusive) -> PricePoint records
- ``/ft_issuances/<fic1...>``, ``/ft_conversions/<fic1...>`` (``?from=&to=``) -> Issuance and
  Conversion records
- ``/commodities`` -> Commodity records, ``/oracles`` -> the oracle set (empty values)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.crypto import from_bech32, to_bech32
from app.errors import Code
from app.modules import catalogue, ft, gov, oracle, trade, verify
from app.pb import state_pb2, tx_pb2
from app.query.routes import BadPath, ListRoute, Single

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# With proofs every record costs a proof on the node's query connection, which shares the
# application with consensus: a proven page holds at most this many (``next`` goes on).
MAX_PROVEN_LIMIT = 20
_MAX_U64 = 2**64 - 1


# -- JSON renderings (shared with the gateway) ---------------------------------------------------

def _requirements(reqs: Any) -> dict[str, int]:
    return {catalogue.KINDS.get(r.kind, str(r.kind)): r.quorum for r in reqs}


def purchase_json(p: state_pb2.Purchase) -> dict[str, Any]:
    return {
        "id": p.id.hex(), "buyer": to_bech32(p.buyer), "seller": to_bech32(p.seller),
        "commodity": p.commodity, "quantity": str(p.quantity), "unit_price": str(p.unit_price),
        "value": str(p.value), "origin_sovereign": to_bech32(p.origin_sovereign),
        "ship_by": p.ship_by, "verify_by": p.verify_by,
        "status": trade.STATUS_NAMES.get(p.status, "unknown"), "ft_rate_bps": p.ft_rate_bps,
        "requirements": _requirements(p.requirements), "created_height": p.created_height,
        "shipped_height": p.shipped_height, "verified_height": p.verified_height,
        "closed_height": p.closed_height,
        "document_hashes": [h.hex() for h in p.document_hashes],
        "dispute_reason": p.dispute_reason, "ft_issued": str(p.ft_issued),
        "create_tx": p.create_tx.hex().upper(), "outcome": p.outcome,
    }


def verification_json(v: state_pb2.Verification) -> dict[str, Any]:
    return {
        "purchase": v.purchase.hex(), "requested_height": v.requested_height,
        "requests": [{
            "kind": catalogue.KINDS.get(r.kind, str(r.kind)), "quorum": r.quorum,
            "status": verify.KIND_STATUS_NAMES.get(r.status, "unknown"),
            "approvals": r.approvals, "rejections": r.rejections,
            "attestations": [{
                "verifier": to_bech32(a.verifier), "verdict": verify.VERDICTS.get(a.verdict, "?"),
                "document_hash": a.document_hash.hex(), "height": a.height,
            } for a in r.attestations],
        } for r in v.requests],
    }


def price_json(code: str, rec: state_pb2.Price | None, height: int,
               params: tx_pb2.Params) -> dict[str, Any]:
    absent = oracle.is_absent(rec, height, params)
    published = rec is not None and rec.height != 0
    return {
        "commodity": code, "status": "absent" if absent else "current",
        "price": None if absent or rec is None else str(rec.price),
        "round": rec.round if published and rec else None,
        "published_height": rec.height if published and rec else None,
        "age_blocks": height - rec.height if published and rec else None,
        "max_age_blocks": params.oracle_max_age_rounds * params.oracle_round_blocks,
        "suspect": {"price": str(rec.suspect_price), "round": rec.suspect_round}
        if rec is not None and rec.suspect_price else None,
        "last_round": rec.last_round if rec is not None and rec.last_outcome else None,
        "last_outcome": rec.last_outcome if rec is not None and rec.last_outcome else None,
        "last_submissions": rec.last_submissions if rec is not None else 0,
    }


def sovereign_json(address: bytes, s: state_pb2.Sovereign) -> dict[str, Any]:
    return {
        "address": to_bech32(address), "jurisdiction": s.jurisdiction, "active": s.active,
        "balance": str(s.balance), "issued": str(s.issued), "converted": str(s.converted),
        "issuances": s.issuances, "conversions": s.conversions,
        "registered_height": s.registered_height,
    }


def issuance_json(r: state_pb2.Issuance) -> dict[str, Any]:
    return {"sovereign": to_bech32(r.sovereign), "purchase": r.purchase.hex(),
            "commodity": r.commodity, "value": str(r.value), "rate_bps": r.rate_bps,
            "amount": str(r.amount), "height": r.height}


def conversion_json(r: state_pb2.Conversion) -> dict[str, Any]:
    return {"sovereign": to_bech32(r.sovereign), "amount": str(r.amount),
            "rate_bps": r.rate_bps, "pt_amount": str(r.pt_amount), "height": r.height}


# -- argument parsing ----------------------------------------------------------------------------

def _address(text: str) -> bytes:
    try:
        return from_bech32(text)
    except ValueError as e:
        raise BadPath(str(e)) from None


def _pid(text: str) -> bytes:
    try:
        pid = bytes.fromhex(text)
    except ValueError:
        pid = b""
    if len(pid) != trade.ID_LEN:
        raise BadPath(f"purchase id must be {2 * trade.ID_LEN} hex digits: {text!r}")
    return pid


def _code(text: str) -> str:
    if not catalogue.CODE_RE.match(text):
        raise BadPath(f"not a commodity code: {text!r}")
    return text


def _uint(q: dict[str, str], name: str, default: int, maximum: int = _MAX_U64) -> int:
    text = q.get(name)
    if text is None or text == "":
        return default
    if not text.isdigit() or len(text) > 20 or int(text) > maximum:
        raise BadPath(f"{name} must be an integer from 0 to {maximum}: {text!r}")
    return int(text)


def _after(q: dict[str, str], length: int) -> bytes | None:
    text = q.get("after")
    if not text:
        return None
    try:
        cursor = bytes.fromhex(text)
    except ValueError:
        cursor = b""
    if len(cursor) != length:
        raise BadPath(f"after must be a cursor from a previous answer ({2 * length} hex "
                      "digits)")
    return cursor


# -- routes --------------------------------------------------------------------------------------

def _scan(store: Any, shard: str, prefix: bytes, q: dict[str, str], suffix_len: int,
          height: int, *, ranged: bool, prove: bool) -> tuple[list[bytes], str | None]:
    """Index keys under ``prefix`` whose suffix starts with a u64 height: from ``from`` (or
    after the ``after`` cursor) up to ``to`` (if ``ranged``), at most ``limit``; and the
    cursor of the next page."""
    limit = _uint(q, "limit", DEFAULT_LIMIT, MAX_LIMIT) or DEFAULT_LIMIT
    if prove:
        limit = min(limit, MAX_PROVEN_LIMIT)
    lo = _uint(q, "from", 0)
    hi = _uint(q, "to", _MAX_U64) if ranged else _MAX_U64
    cursor = _after(q, suffix_len)
    start = prefix + (cursor + b"\x00" if cursor is not None else lo.to_bytes(8, "big"))
    found: list[bytes] = []
    n = len(prefix)
    for key, _ in store.iterate(shard, prefix, start=start, height=height):
        if int.from_bytes(key[n:n + 8], "big") > hi:
            return found, None
        if len(found) == limit:
            return found, found[-1][n:].hex()
        found.append(key)
    return found, None


def _listing(shard: str, keys: list[bytes], next_cursor: str | None,
             render_one: Callable[[bytes, bytes], Any], name: str,
             extra: dict[str, Any]) -> ListRoute:
    def render(pairs: list[tuple[bytes, bytes]]) -> dict[str, Any]:
        return {**extra, name: [render_one(k, v) for k, v in pairs], "next": next_cursor}
    return ListRoute(shard, keys, render)


def route(head: str, args: list[str], q: dict[str, str], store: Any, height: int,
          prove: bool = False) -> Single | ListRoute | None:
    """The route of a trade, oracle or FT path, or None if the path is none of these."""
    if head == "purchase" and len(args) == 1:
        pid = _pid(args[0])
        return trade.SHARD, trade.purchase_key(pid), lambda raw: purchase_json(
            state_pb2.Purchase.FromString(raw or b"")), Code.QUERY_NOT_FOUND
    if head == "verification" and len(args) == 1:
        pid = _pid(args[0])
        return verify.SHARD, verify.key(pid), lambda raw: verification_json(
            state_pb2.Verification.FromString(raw or b"")), Code.QUERY_NOT_FOUND
    if head == "purchases" and len(args) == 2 and args[0] in ("by_buyer", "by_seller"):
        addr = _address(args[1])
        index = trade.BUYER_INDEX if args[0] == "by_buyer" else trade.SELLER_INDEX
        found, nxt = _scan(store, trade.SHARD, index + addr, q, 8 + trade.ID_LEN, height,
                           ranged=False, prove=prove)
        keys = [trade.purchase_key(k[-trade.ID_LEN:]) for k in found]
        return _listing(trade.SHARD, keys, nxt,
                        lambda _k, v: purchase_json(state_pb2.Purchase.FromString(v)),
                        "purchases", {"address": to_bech32(addr), "role": args[0][3:]})
    if head == "price" and len(args) == 1:
        code = _code(args[0])
        if store.get(catalogue.SHARD, catalogue.key(code), height=height) is None:
            raise BadPath(f"no commodity {code} at height {height}", Code.QUERY_NOT_FOUND)
        params = tx_pb2.Params.FromString(
            store.get(gov.SHARD, gov.PARAMS_KEY, height=height) or b"")
        return oracle.SHARD, oracle.price_key(code), lambda raw: price_json(
            code, state_pb2.Price.FromString(raw) if raw is not None else None, height,
            params), None
    if head == "price_history" and len(args) == 1:
        code = _code(args[0])
        prefix = oracle.history_prefix(code)
        found, nxt = _scan(store, oracle.SHARD, prefix, q, 16, height, ranged=True, prove=prove)
        return _listing(oracle.SHARD, found, nxt, lambda _k, v: _point_json(v),
                        "points", {"commodity": code})
    if head == "ft" and len(args) == 1:
        addr = _address(args[0])
        def ft_balance(raw: bytes | None) -> dict[str, Any]:
            s = state_pb2.Sovereign.FromString(raw or b"")
            return {"address": to_bech32(addr), "balance": str(s.balance),
                    "issued": str(s.issued), "converted": str(s.converted),
                    "sovereign": s.active}
        return ft.SHARD, ft.sovereign_key(addr), ft_balance, None
    if head == "sovereign" and len(args) == 1:
        addr = _address(args[0])
        return ft.SHARD, ft.sovereign_key(addr), lambda raw: sovereign_json(
            addr, state_pb2.Sovereign.FromString(raw or b"")), Code.QUERY_NOT_FOUND
    if head == "ft_supply" and not args:
        def supply(raw: bytes | None) -> dict[str, Any]:
            s = state_pb2.FtSupply.FromString(raw or b"")
            return {"issued": str(s.issued), "converted": str(s.converted),
                    "supply": str(s.issued - s.converted)}
        return ft.SHARD, ft.SUPPLY_KEY, supply, None
    if head in ("ft_issuances", "ft_conversions") and len(args) == 1:
        addr = _address(args[0])
        issuances = head == "ft_issuances"
        prefix = (ft.ISSUANCE_PREFIX if issuances else ft.CONVERSION_PREFIX) + addr
        found, nxt = _scan(store, ft.SHARD, prefix, q, 16, height, ranged=True, prove=prove)
        one = (lambda _k, v: issuance_json(state_pb2.Issuance.FromString(v))) if issuances \
            else (lambda _k, v: conversion_json(state_pb2.Conversion.FromString(v)))
        return _listing(ft.SHARD, found, nxt, one, head[3:],
                        {"sovereign": to_bech32(addr)})
    if head == "commodity" and len(args) == 1:
        code = _code(args[0])
        return catalogue.SHARD, catalogue.key(code), lambda raw: catalogue.to_json(
            tx_pb2.Commodity.FromString(raw or b"")), Code.QUERY_NOT_FOUND
    if head == "commodities" and not args:
        keys = [k for k, _ in store.iterate(catalogue.SHARD, catalogue.PREFIX, height=height)]
        return _listing(catalogue.SHARD, keys, None,
                        lambda _k, v: catalogue.to_json(tx_pb2.Commodity.FromString(v)),
                        "commodities", {})
    if head == "oracles" and not args:
        keys = [k for k, _ in store.iterate(oracle.SHARD, oracle.SET_PREFIX, height=height)]
        n = len(oracle.SET_PREFIX)
        return _listing(oracle.SHARD, keys, None, lambda k, _v: to_bech32(k[n:]),
                        "oracles", {"count": len(keys)})
    return None


def _point_json(raw: bytes) -> dict[str, Any]:
    p = state_pb2.PricePoint.FromString(raw)
    return {"height": p.height, "round": p.round, "price": str(p.price),
            "submissions": p.submissions}

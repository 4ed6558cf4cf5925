"""Trade, oracle and FT reads: purchases, verification, prices, FT balances, the catalogue.

Each answer is the app's own JSON for the record (``app.query.trade``) plus ``height``; a
record that does not exist answers null. Lists come a page at a time with a ``next`` cursor
(pass it back as ``after``).
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from app.crypto import to_bech32
from app.errors import Code
from rpc.errors import NOT_FOUND, invalid_params
from rpc.jsonrpc import CallContext, Method
from rpc.params import ADDRESS, HEIGHT, OPTIONS, Param, ParamType
from rpc.schemas import BOOL, INT, STR, nullable, obj, ref


def _purchase_id(v: Any) -> str:
    if not isinstance(v, str) or not re.fullmatch(r"(0x)?[0-9a-fA-F]{32}", v):
        raise ValueError("must be a purchase id (32 hex digits)")
    return v[2:].lower() if v.startswith("0x") else v.lower()


def _commodity(v: Any) -> str:
    if not isinstance(v, str) or not re.fullmatch(r"[A-Z0-9_]{1,16}", v):
        raise ValueError("must be a commodity code (A-Z, 0-9, _; at most 16)")
    return v


def _role(v: Any) -> str:
    if v not in ("buyer", "seller"):
        raise ValueError('must be "buyer" or "seller"')
    return str(v)


PURCHASE_ID = ParamType("PurchaseId", _purchase_id)
COMMODITY = ParamType("CommodityCode", _commodity)
ROLE = ParamType("Role", _role)

_HEIGHT = Param("height", HEIGHT, "block height (default: latest)", required=False)
_PAGE = Param("page", OPTIONS, '{"after": cursor from "next", "limit": 1-500, "from": height, '
              '"to": height}', required=False)

SCHEMAS = {
    "PurchaseId": {"type": "string", "pattern": "^(0x)?[0-9a-fA-F]{32}$"},
    "CommodityCode": {"type": "string", "pattern": "^[A-Z0-9_]{1,16}$"},
    "Role": {"enum": ["buyer", "seller"]},
    "Purchase": {"type": "object", "required": [
        "id", "buyer", "seller", "commodity", "quantity", "unit_price", "value",
        "origin_sovereign", "status", "requirements", "created_height"]},
    "Purchases": obj({"address": ref("Address"), "role": STR,
                      "purchases": {"type": "array", "items": ref("Purchase")},
                      "next": nullable(STR), "height": INT}),
    "Verification": {"type": "object", "required": ["purchase", "requests", "height"]},
    "Price": {"type": "object", "required": ["commodity", "status", "price", "height"],
              "properties": {"status": {"enum": ["current", "absent"]},
                             "price": nullable(ref("Amount"))}},
    "PriceHistory": obj({"commodity": STR, "points": {"type": "array", "items": obj({
        "height": INT, "round": INT, "price": ref("Amount"), "submissions": INT})},
        "next": nullable(STR), "height": INT}),
    "FtBalance": obj({"address": ref("Address"), "balance": ref("Amount"),
                      "issued": ref("Amount"), "converted": ref("Amount"), "sovereign": BOOL,
                      "height": INT}),
    "Commodities": obj({"commodities": {"type": "array", "items": {"type": "object"}},
                        "next": nullable(STR), "height": INT}),
}


def _query_string(page: dict[str, Any] | None, allowed: tuple[str, ...]) -> str:
    """The page options as the app's ``?name=value`` arguments (checked here, not there)."""
    page = page or {}
    unknown = sorted(set(page) - set(allowed))
    if unknown:
        raise invalid_params(f"page option {unknown[0]!r} is not one of {', '.join(allowed)}",
                             "page")
    args = {}
    for name, value in page.items():
        if name == "after":
            if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{1,128}", value):
                raise invalid_params("after must be the cursor of a previous answer", "page")
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise invalid_params(f"{name} must be a non-negative integer", "page")
        args[name] = str(value)
    return "?" + urllib.parse.urlencode(args) if args else ""


async def _info(ctx: CallContext, path: str, height: int | None) -> dict[str, Any] | None:
    r = await ctx.gw.query(path, height)
    if r.code == Code.QUERY_NOT_FOUND:
        return None
    return {**r.info_json(), "height": r.height}


async def get_purchase(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any] | None:
    return await _info(ctx, f"/purchase/{p['id']}", p["height"])


async def get_verification(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any] | None:
    return await _info(ctx, f"/verification/{p['id']}", p["height"])


async def list_purchases(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any] | None:
    qs = _query_string(p["page"], ("after", "limit", "from"))
    return await _info(ctx, f"/purchases/by_{p['role']}/{to_bech32(p['address'])}{qs}",
                       p["height"])


async def get_price(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any] | None:
    return await _info(ctx, f"/price/{p['commodity']}", p["height"])


async def get_price_history(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any] | None:
    qs = _query_string(p["page"], ("after", "limit", "from", "to"))
    return await _info(ctx, f"/price_history/{p['commodity']}{qs}", p["height"])


async def get_ft(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any] | None:
    return await _info(ctx, f"/ft/{to_bech32(p['address'])}", p["height"])


async def list_commodities(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any] | None:
    return await _info(ctx, "/commodities", p["height"])


_ID = Param("id", PURCHASE_ID, "purchase id (32 hex digits)")

METHODS = [
    Method("fictra_getPurchase", get_purchase, (_ID, _HEIGHT),
           {"name": "purchase", "schema": nullable(ref("Purchase"))},
           "A purchase: parties, commodity, quantity, price, escrowed value, status, "
           "deadlines, documents, FT issued; null if there is none.", cache=True,
           errors=(NOT_FOUND,)),
    Method("fictra_listPurchases", list_purchases, (
        Param("address", ADDRESS, "buyer or seller"), Param("role", ROLE, "buyer or seller"),
        _PAGE, _HEIGHT),
        {"name": "purchases", "schema": nullable(ref("Purchases"))},
        "Purchases an address made as buyer or seller, oldest first, a page at a time.",
        cache=True, errors=(NOT_FOUND,)),
    Method("fictra_getVerification", get_verification, (_ID, _HEIGHT),
           {"name": "verification", "schema": nullable(ref("Verification"))},
           "A purchase's verification requests with their attestations; null before "
           "shipment.", cache=True, errors=(NOT_FOUND,)),
    Method("fictra_getPrice", get_price, (Param("commodity", COMMODITY, "commodity code"),
                                          _HEIGHT),
           {"name": "price", "schema": nullable(ref("Price"))},
           "A commodity's oracle price: current, or absent when too old; null for an unknown "
           "commodity.", cache=True, errors=(NOT_FOUND,)),
    Method("fictra_getPriceHistory", get_price_history, (
        Param("commodity", COMMODITY, "commodity code"), _PAGE, _HEIGHT),
        {"name": "history", "schema": nullable(ref("PriceHistory"))},
        "Published prices of a commodity by height (page.from / page.to bound them).",
        cache=True, errors=(NOT_FOUND,)),
    Method("fictra_getFT", get_ft, (Param("address", ADDRESS, "a sovereign (or any address)"),
                                    _HEIGHT),
           {"name": "ft", "schema": ref("FtBalance")},
           "FT balance, issued and converted totals (zeros for an address that is not a "
           "sovereign).", cache=True, errors=(NOT_FOUND,)),
    Method("fictra_listCommodities", list_commodities, (_HEIGHT,),
           {"name": "commodities", "schema": nullable(ref("Commodities"))},
           "The commodity catalogue: units, decimals, FT rate, verification requirements.",
           cache=True, errors=(NOT_FOUND,)),
]

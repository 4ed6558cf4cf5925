"""Account reads: account, balance, nonce, history; and the chain-wide supply, params and
proposals. Reads at a height are answered from the node's committed state at that height."""

from __future__ import annotations

import asyncio
from typing import Any

from app.crypto import to_bech32
from app.errors import Code
from rpc import receipts
from rpc.errors import NOT_FOUND, UNAVAILABLE, invalid_params
from rpc.indexer import reader
from rpc.jsonrpc import CallContext, Method
from rpc.methods.explorer import CURSOR, DEFAULT_LIMIT, LIMIT
from rpc.params import ADDRESS, HEIGHT, PAGE, PER_PAGE, UINT_ID, Param
from rpc.schemas import BOOL, INT, STR, nullable, obj, ref

SCHEMAS = {
    "Account": obj({
        "address": ref("Address"), "balance": ref("Amount"), "nonce": ref("Amount"),
        "tier": {"enum": ["none", "basic", "enhanced", "corporate", "sovereign"]},
        "jurisdiction": STR, "roles": {"type": "array", "items": STR}, "frozen": BOOL,
        "height": INT,
    }),
    "Balance": obj({"address": ref("Address"), "pt": ref("Amount"), "ft": ref("Amount"),
                    "height": INT}),
    "History": obj({
        "address": ref("Address"), "page": INT, "per_page": INT,
        "next_page": nullable(INT), "next_before": nullable(STR),
        "txs": {"type": "array", "items": ref("Receipt")},
    }),
    "Supply": obj({"total": ref("Amount"), "treasury": ref("Amount"),
                   "treasury_address": ref("Address"), "max_supply": ref("Amount"),
                   "height": INT}),
    "Params": obj({
        "base_fee": ref("Amount"), "fee_per_byte": ref("Amount"),
        "max_multisend_outputs": INT,
        "tier_limits": {"type": "object", "additionalProperties": ref("Amount")},
        "proposal_expiry_blocks": ref("Amount"),
        "blocked_jurisdictions": {"type": "array", "items": STR}, "height": INT,
    }, extra=True),
    "Proposal": {"type": "object", "required": ["id", "proposer", "action", "status", "yes",
                                                "no", "height"]},
}

MAX_HISTORY_DEPTH = 10_000  # without an index: each 100 txs deeper costs two node searches
_ADDR = Param("address", ADDRESS, "the account (bech32)")
_HEIGHT = Param("height", HEIGHT, "block height (default: latest)", required=False)


def _addr(params: dict[str, Any]) -> str:
    return to_bech32(params["address"])


async def get_account(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return await ctx.gw.account(_addr(params), params["height"])


async def ft_balance(ctx: CallContext, address: str, height: int | None) -> str:
    """FT comes with the trade module; until the app answers ``/ft/`` it is zero."""
    gw = ctx.gw
    if gw.ft_supported is False:
        return "0"
    r = await gw.node.abci_query(f"/ft/{address}", height=height or 0)
    if r.code == Code.QUERY_BAD_PATH and "unknown query path" in r.log:
        gw.ft_supported = False
        return "0"
    gw.ft_supported = True
    info = r.info_json() or {}
    return str(info.get("balance", "0")) if r.code == 0 else "0"


async def get_balance(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    address = _addr(params)
    account = await ctx.gw.account(address, params["height"])
    ft = await ft_balance(ctx, address, account["height"])
    return {"address": address, "pt": account["balance"], "ft": ft,
            "height": account["height"]}


async def get_nonce(ctx: CallContext, params: dict[str, Any]) -> str:
    address = _addr(params)
    account, (mempool, total) = await asyncio.gather(
        ctx.gw.account(address), ctx.gw.node.unconfirmed_txs())
    return str(ctx.gw.pending.next_nonce(params["address"], int(account["nonce"]), mempool,
                                         len(mempool) >= total))


async def _search(ctx: CallContext, query: str, want: int) -> list[dict[str, Any]]:
    """The newest ``want`` txs matching ``query`` (CometBFT pages are at most 100)."""
    out: list[dict[str, Any]] = []
    page = 1
    while len(out) < want:
        r = await ctx.gw.node.tx_search(query, page, 100)
        out += r.get("txs") or []
        if len(out) >= int(r.get("total_count") or 0) or not r.get("txs"):
            break
        page += 1
    return out


async def get_history(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    """Txs the account signed (every tx pays a fee event) or sent or received a transfer in,
    newest first: from the analytics index when the gateway has one (no depth limit; pages
    by ``before``/``limit`` cursor or by ``page``/``per_page``), else from the node's tx
    index."""
    address = _addr(params)
    cursor = params["before"] is not None or params["limit"] is not None
    if cursor and (params["page"] is not None or params["per_page"] is not None):
        raise invalid_params("page by before/limit or by page/per_page, not both", "before")
    if ctx.gw.index is None:
        if cursor:
            raise invalid_params("before/limit need the gateway's analytics index", "before")
        return await _history_from_node(ctx, address, params)
    if cursor:
        page, per_page, offset = 1, params["limit"] or DEFAULT_LIMIT, 0
    else:
        page, per_page = params["page"] or 1, params["per_page"] or 20
        offset = (page - 1) * per_page
    txs, more = await _history_from_index(ctx, address, params["before"], per_page, offset)
    return {"address": address, "page": page, "per_page": per_page,
            "next_page": page + 1 if more and not cursor else None,
            "next_before": f"{txs[-1]['height']}:{txs[-1]['index']}" if more and txs else None,
            "txs": txs}


async def _history_from_index(ctx: CallContext, address: str, before: tuple[int, int] | None,
                              limit: int, offset: int) -> tuple[list[dict[str, Any]], bool]:
    """The index's page, led by the account's txs in the blocks the gateway saw above the
    index's head (a tx sent a moment ago is in its history)."""
    head = await ctx.gw.index.run(reader.latest_height)
    newer = [r for r in ctx.gw.recent.of_account(address) if r["height"] > head
             and (before is None or (r["height"], r["index"]) < before)]
    skip = min(offset, len(newer))
    newer, offset = newer[skip:], offset - skip
    if len(newer) > limit:
        return newer[:limit], True
    txs, more = await ctx.gw.index.run(reader.history, address, before, limit - len(newer),
                                       offset)
    seen = {r["hash"] for r in newer}  # the index may have written a block since ``head``
    return newer + [r for r in txs if r["hash"] not in seen], more


async def _history_from_node(ctx: CallContext, address: str, params: dict[str, Any]
                             ) -> dict[str, Any]:
    page = params["page"] or 1
    per_page = params["per_page"] or 20
    if page * per_page > MAX_HISTORY_DEPTH:
        raise invalid_params(f"history goes back at most {MAX_HISTORY_DEPTH} txs "
                             "(page * per_page)", "page")
    want = page * per_page + 1  # one more tells whether a next page exists
    signed, received = await asyncio.gather(
        _search(ctx, f"fee.payer='{address}'", want),
        _search(ctx, f"transfer.recipient='{address}'", want))
    merged = {r["hash"]: r for r in ctx.gw.recent.of_account(address)}  # not indexed yet
    merged.update((t["hash"], receipts.from_indexed(t)) for t in signed + received)
    ordered = sorted(merged.values(), key=lambda r: (r["height"], r["index"]), reverse=True)
    start = (page - 1) * per_page
    chunk = ordered[start:start + per_page]
    return {"address": address, "page": page, "per_page": per_page,
            "next_page": page + 1 if len(ordered) > start + per_page else None,
            "next_before": None, "txs": chunk}


async def _info(ctx: CallContext, path: str, height: int | None) -> dict[str, Any] | None:
    r = await ctx.gw.query(path, height)
    if r.code == Code.QUERY_NOT_FOUND:
        return None
    return {**r.info_json(), "height": r.height}


async def get_supply(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any] | None:
    return await _info(ctx, "/supply", params["height"])


async def get_params(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any] | None:
    return await _info(ctx, "/params", params["height"])


async def get_proposal(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any] | None:
    return await _info(ctx, f"/proposal/{params['id']}", params["height"])


METHODS = [
    Method("fictra_getAccount", get_account, (_ADDR, _HEIGHT),
           {"name": "account", "schema": ref("Account")},
           "An account: PT balance, nonce (of the next tx to be included), KYC tier, "
           "jurisdiction, roles, frozen flag. Unknown accounts answer zeros.", cache=True,
           errors=(NOT_FOUND,)),
    Method("fictra_getBalance", get_balance, (_ADDR, _HEIGHT),
           {"name": "balance", "schema": ref("Balance")},
           "PT and FT balances in base units (6 decimals).", cache=True, errors=(NOT_FOUND,)),
    Method("fictra_getNonce", get_nonce, (_ADDR,), {"name": "nonce", "schema": ref("Amount")},
           "The nonce the account's next tx must carry, counting its txs still in the mempool."),
    Method("fictra_getAccountHistory", get_history, (
        _ADDR, Param("page", PAGE, "page number, from 1 (default 1)", required=False),
        Param("per_page", PER_PAGE, "txs per page, 1-100 (default 20)", required=False),
        Param("before", CURSOR, "cursor paging: only txs before this position (a height, "
              "or next_before of the previous answer)", required=False),
        Param("limit", LIMIT, f"cursor paging: at most this many txs (1-100, default "
              f"{DEFAULT_LIMIT})", required=False)),
        {"name": "history", "schema": ref("History")},
        "Txs the account signed, sent or received, newest first, as receipts.",
        description="Answered from the analytics index: page on with before = next_before "
        "(null: nothing older) to the first tx, or by page/per_page. A gateway without an "
        "index asks the node's tx index (page/per_page only, at most 10,000 deep).",
        errors=(UNAVAILABLE,)),
    Method("fictra_getSupply", get_supply, (_HEIGHT,), {"name": "supply", "schema": ref("Supply")},
           "Total PT supply and the treasury balance.", cache=True, errors=(NOT_FOUND,)),
    Method("fictra_getParams", get_params, (_HEIGHT,), {"name": "params", "schema": ref("Params")},
           "The chain params (fees, limits) set by governance.", cache=True,
           errors=(NOT_FOUND,)),
    Method("fictra_getProposal", get_proposal, (Param("id", UINT_ID, "proposal id"), _HEIGHT),
           {"name": "proposal", "schema": nullable(ref("Proposal"))},
           "A council proposal with its votes and status; null if there is none.", cache=True,
           errors=(NOT_FOUND,)),
]

"""Explorer and analytics reads answered from the analytics index (``fictra indexer``):
blocks, a block with its txs, search, network and trade statistics.

The gateway reaches the index by its database URL (``fictra gateway --index DB``); without
one these methods answer -32002. Mempool size and the validator set come from the node, as
they are not history.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rpc.errors import UNAVAILABLE, RpcError
from rpc.indexer import reader
from rpc.jsonrpc import CallContext, Method
from rpc.params import TEXT, Param, ParamType
from rpc.schemas import INT, STR, nullable, obj, ref

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


def _bounded(name: str, low: int, high: int) -> ParamType:
    def parse(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
            raise ValueError(f"must be an integer from {low} to {high}")
        return v

    return ParamType(name, parse)


def _before_height(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 2**63:
        raise ValueError("must be a non-negative integer height")
    return v


def _cursor(v: Any) -> tuple[int, int]:
    parsed = reader.parse_cursor(v)
    assert parsed is not None  # None never reaches a parser
    return parsed


LIMIT = _bounded("Limit", 1, MAX_LIMIT)
BLOCK_COUNT = _bounded("BlockCount", 1, 1000)
DAYS = _bounded("Days", 1, 366)
BEFORE_HEIGHT = ParamType("BeforeHeight", _before_height)
CURSOR = ParamType("Cursor", _cursor)

SCHEMAS: dict[str, dict[str, Any]] = {
    "IndexedHeight": {"type": "integer", "minimum": 1},
    "Limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
    "BlockCount": {"type": "integer", "minimum": 1, "maximum": 1000},
    "Days": {"type": "integer", "minimum": 1, "maximum": 366},
    "BeforeHeight": {"type": "integer", "minimum": 0,
                     "description": "exclusive: only heights below this one"},
    "Cursor": {"oneOf": [{"type": "integer", "minimum": 0},
                         {"type": "string", "pattern": "^[0-9]{1,19}(:[0-9]{1,9})?$"}],
               "description": "exclusive: a height, or HEIGHT:INDEX (a tx's position)"},
    "BlockSummary": obj({"height": INT, "time": STR, "hash": STR, "proposer": STR,
                         "num_txs": INT, "interval_ms": nullable(INT)}),
    "Blocks": obj({"latest_height": INT,
                   "blocks": {"type": "array", "items": ref("BlockSummary")},
                   "next_before": nullable(INT)}),
    "BlockTx": obj({"hash": ref("HexHash"), "index": INT, "signer": nullable(ref("Address")),
                    "type": STR, "msg_types": {"type": "array", "items": STR}, "code": INT,
                    "code_name": STR, "fee": ref("Amount")}),
    "Block": obj({"height": INT, "time": STR, "hash": STR, "app_hash": STR, "proposer": STR,
                  "num_txs": INT, "interval_ms": nullable(INT),
                  "txs": {"type": "array", "items": ref("BlockTx")},
                  "validator_updates": {"type": "array", "items": obj(
                      {"pub_key": STR, "power": ref("Amount")})}}),
    "SearchResult": obj({"kind": {"enum": ["block", "tx", "address", "purchase", "none"]},
                         "key": STR}),
    "NetworkStats": obj({
        "height": INT, "blocks": INT, "tx_per_s": {"type": "string", "pattern":
                                                   "^[0-9]+\\.[0-9]$"},
        "block_interval_s": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$"},
        "txs_by_type": {"type": "object", "additionalProperties": INT},
        "mempool_size": INT,
        "validators": {"type": "array", "items": obj({"address": STR,
                                                      "power": ref("Amount")})},
        "series": {"type": "array", "items": obj({"height": INT, "time": STR, "num_txs": INT,
                                                  "interval_ms": nullable(INT)})},
    }),
    "TradeStats": obj({
        "volume": {"type": "array", "items": obj({
            "commodity": STR, "day": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
            "count": INT, "quantity": ref("Amount"), "value_pt": ref("Amount")})},
        "purchases_by_status": {"type": "object", "additionalProperties": INT},
        "ft_by_sovereign": {"type": "array", "items": obj({
            "sovereign": ref("Address"), "issued": ref("Amount"), "converted": ref("Amount")})},
    }),
}


def index_of(ctx: CallContext) -> reader.Reader:
    idx = ctx.gw.index
    if idx is None:
        raise RpcError(UNAVAILABLE, "Resource unavailable: this gateway has no analytics index "
                       "(start it with --index DB)", {"reason": "no index"})
    return idx


async def get_blocks(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return await index_of(ctx).run(reader.blocks, params["before"],
                                   params["limit"] or DEFAULT_LIMIT)


async def get_block(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any] | None:
    return await index_of(ctx).run(reader.block, params["height"])


async def search(ctx: CallContext, params: dict[str, Any]) -> dict[str, str]:
    return await index_of(ctx).run(reader.search, params["query"])


async def network_stats(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    idx = index_of(ctx)
    stats, mempool, validators = await asyncio.gather(
        idx.run(reader.network, params["blocks"] or 100),
        ctx.gw.node.num_unconfirmed_txs(), ctx.gw.node.validators(0))
    return {**stats, "mempool_size": mempool,
            "validators": [{"address": v["address"], "power": str(v["voting_power"])}
                           for v in validators]}


async def trade_stats(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    return await index_of(ctx).run(reader.trade, params["days"] or 30)


_LIMIT = Param("limit", LIMIT, f"at most this many (1-{MAX_LIMIT}, default {DEFAULT_LIMIT})",
               required=False)
_INDEX_ERRORS = (UNAVAILABLE,)

METHODS = [
    Method("fictra_getBlocks", get_blocks, (
        Param("before", BEFORE_HEIGHT, "only blocks below this height (default: the latest "
              "indexed and below)", required=False), _LIMIT),
        {"name": "blocks", "schema": ref("Blocks")},
        "Indexed blocks, newest first, with their tx count and interval from the block "
        "before.", description="Page on with before = next_before (null: no older blocks).",
        errors=_INDEX_ERRORS),
    Method("fictra_getBlock", get_block, (
        Param("height", _bounded("IndexedHeight", 1, 2**63 - 1), "block height"),),
        {"name": "block", "schema": nullable(ref("Block"))},
        "A block with its txs (type, signer, code and its name, fee) and validator updates; "
        "null until it is indexed.", errors=_INDEX_ERRORS),
    Method("fictra_search", search, (Param("query", TEXT, "a height, tx hash, address or "
                                           "purchase id"),),
           {"name": "result", "schema": ref("SearchResult")},
           "What a search box string names: a block (height or block hash), a tx (64 hex), "
           "an address (bech32) or a purchase (32 hex); kind none if nothing indexed.",
           errors=_INDEX_ERRORS),
    Method("fictra_getNetworkStats", network_stats, (
        Param("blocks", BLOCK_COUNT, "the last N indexed blocks (1-1000, default 100)",
              required=False),),
        {"name": "stats", "schema": ref("NetworkStats")},
        "Tx/s and mean block interval over the last N blocks, txs by type, the mempool's "
        "size and the validators with their power.",
        description="tx_per_s = the window's txs / the sum of its block intervals; series has "
        "one entry per block, oldest first.", errors=_INDEX_ERRORS),
    Method("fictra_getTradeStats", trade_stats, (
        Param("days", DAYS, "days back from the last indexed block's day (1-366, default 30)",
              required=False),),
        {"name": "stats", "schema": ref("TradeStats")},
        "Purchases opened per commodity and day (count, quantity, value in PT base units), "
        "all purchases by current status, FT issued and converted per sovereign.",
        errors=_INDEX_ERRORS),
]

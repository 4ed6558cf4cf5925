"""``fictra_chainId``, ``fictra_status`` and ``fictra_getBlockHeader``: which chain, how far along
it is, and what a block holds."""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from typing import Any

from app.node.cometrpc import parse_time_ns
from rpc.cometclient import NodeError
from rpc.errors import NOT_FOUND, RpcError
from rpc.jsonrpc import CallContext, Method
from rpc.params import HEIGHT, Param
from rpc.schemas import BOOL, INT, STR, obj, ref

log = logging.getLogger("fictra.gateway")

MAX_BLOCK_TXS = 1_000  # hashes listed per block answer; num_txs counts them all

SCHEMAS = {
    "Status": obj({
        "chain_id": STR, "height": INT, "app_hash": STR, "block_hash": STR, "block_time": STR,
        "catching_up": BOOL, "last_block_age_s": {"type": "number"}, "node_version": STR,
        "following_blocks": BOOL,
    }),
    "BlockHeader": obj({
        "height": INT, "hash": STR, "time": STR, "proposer": STR, "app_hash": STR,
        "num_txs": INT, "txs": {"type": "array", "items": ref("HexHash")}, "more_txs": BOOL,
    }),
}


async def chain_id(ctx: CallContext, _: dict[str, Any]) -> str:
    return await ctx.gw.chain_id()


def block_age_s(block_time: str) -> float:
    """Seconds since a block's header time (wall clock: this is the gateway, not consensus)."""
    return max(0.0, round(time.time() - parse_time_ns(block_time) / 1e9, 3))


async def status(ctx: CallContext, _: dict[str, Any]) -> dict[str, Any]:
    st = await ctx.gw.node.status()
    info = st["sync_info"]
    return {
        "chain_id": st["node_info"]["network"],
        "height": int(info["latest_block_height"]),
        "app_hash": info["latest_app_hash"],
        "block_hash": info["latest_block_hash"],
        "block_time": info["latest_block_time"],
        "catching_up": bool(info["catching_up"]),
        "last_block_age_s": block_age_s(info["latest_block_time"]),
        "node_version": st["node_info"].get("version", ""),
        "following_blocks": ctx.gw.follower.live,
    }


async def get_block(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    height = params["height"]
    try:
        r = await ctx.gw.node.call("block", **({"height": str(height)} if height else {}))
    except NodeError as e:
        # the node's own text stays in the gateway's log: it may name the node's internals
        log.info("block %s: the node answered %s", height, e.data)
        raise RpcError(NOT_FOUND, f"Resource not found: block {height}") from None
    header, txs = r["block"]["header"], r["block"]["data"].get("txs") or []
    return {
        "height": int(header["height"]), "hash": r["block_id"]["hash"], "time": header["time"],
        "proposer": header["proposer_address"], "app_hash": header["app_hash"],
        "num_txs": len(txs),
        "txs": [hashlib.sha256(base64.b64decode(t)).hexdigest().upper()
                for t in txs[:MAX_BLOCK_TXS]],
        "more_txs": len(txs) > MAX_BLOCK_TXS,
    }


METHODS = [
    Method("fictra_chainId", chain_id, (), {"name": "chainId", "schema": STR},
           "The chain id every tx must be signed for.", cache=True),
    Method("fictra_status", status, (), {"name": "status", "schema": ref("Status")},
           "Latest height and app hash, whether the node is catching up, the last block's age.",
           description="app_hash is the hash of the state after block height - 1 (it is in "
           "header `height`); last_block_age_s uses the gateway's clock."),
    Method("fictra_getBlockHeader", get_block,
           (Param("height", HEIGHT, "block height (default: latest)", required=False),),
           {"name": "block", "schema": ref("BlockHeader")},
           "A block's header fields and the hashes of its txs (the first 1,000; more_txs "
           "says whether there are more), from the node: no index needed (fictra_getBlock "
           "has the txs' types and codes from the index).",
           description="app_hash is the state after block height - 1; the receipts are "
           "fictra_getTransaction's.", errors=(NOT_FOUND,)),
]

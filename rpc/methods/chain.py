"""``fictra_chainId`` and ``fictra_status``: which chain, and how far along it is."""

from __future__ import annotations

import time
from typing import Any

from app.node.cometrpc import parse_time_ns
from rpc.jsonrpc import CallContext, Method
from rpc.schemas import BOOL, INT, STR, obj, ref

SCHEMAS = {
    "Status": obj({
        "chain_id": STR, "height": INT, "app_hash": STR, "block_hash": STR, "block_time": STR,
        "catching_up": BOOL, "last_block_age_s": {"type": "number"}, "node_version": STR,
        "following_blocks": BOOL,
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


METHODS = [
    Method("fictra_chainId", chain_id, (), {"name": "chainId", "schema": STR},
           "The chain id every tx must be signed for.", cache=True),
    Method("fictra_status", status, (), {"name": "status", "schema": ref("Status")},
           "Latest height and app hash, whether the node is catching up, the last block's age.",
           description="app_hash is the hash of the state after block height - 1 (it is in "
           "header `height`); last_block_age_s uses the gateway's clock."),
]

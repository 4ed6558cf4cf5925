"""``rpc.discover``: the OpenRPC document describing every method (as Ethereum nodes do)."""

from __future__ import annotations

from typing import Any

from rpc.jsonrpc import CallContext, Method


async def discover(ctx: CallContext, _: dict[str, Any]) -> dict[str, Any]:
    return ctx.gw.openrpc


METHODS = [
    Method("rpc.discover", discover, (),
           {"name": "OpenRPC document", "schema": {"type": "object",
                                                   "required": ["openrpc", "info", "methods"]}},
           "This document."),
]

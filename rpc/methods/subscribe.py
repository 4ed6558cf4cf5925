"""``fictra_subscribe`` / ``fictra_unsubscribe`` (WebSocket only).

Kinds: ``newHeads`` (every block), ``account`` with an address (each block whose txs or
events name it, with the account after the block), ``tx`` with a hash (its receipt once it
is in a block; at once if it already is), ``prices`` (every oracle price event).
"""

from __future__ import annotations

from typing import Any

from app.crypto import from_bech32, to_bech32
from rpc.errors import LIMIT_EXCEEDED, NOT_SUPPORTED, RpcError, invalid_params
from rpc.jsonrpc import CallContext, Method
from rpc.params import HASH, Param, ParamType
from rpc.schemas import BOOL
from rpc.subscriptions import KINDS, MAX_PER_PEER


def _kind(v: Any) -> str:
    if v not in KINDS:
        raise ValueError(f"must be one of {', '.join(KINDS)}")
    return str(v)


def _arg(v: Any) -> str:
    if not isinstance(v, str) or not v or len(v) > 200:
        raise ValueError("must be an address (account) or a tx hash (tx)")
    return v


KIND = ParamType("SubscriptionKind", _kind)
ARG = ParamType("SubscriptionArg", _arg)

SCHEMAS = {
    "SubscriptionKind": {"enum": list(KINDS)},
    "SubscriptionArg": {"type": "string",
                        "description": "the address (account) or tx hash (tx)"},
    "SubscriptionId": {"type": "string", "pattern": "^0x[0-9a-f]{32}$"},
}


async def subscribe(ctx: CallContext, params: dict[str, Any]) -> str:
    peer = ctx.conn.ws
    kind, arg = params["kind"], params["arg"]
    if kind in ("account", "tx") and arg is None:
        raise invalid_params(f'"{kind}" needs an argument', "arg")
    if kind in ("newHeads", "prices") and arg is not None:
        raise invalid_params(f'"{kind}" takes no argument', "arg")
    if kind == "account":
        try:
            arg = to_bech32(from_bech32(arg))
        except ValueError as e:
            raise invalid_params(f"arg {e}", "arg") from None
    elif kind == "tx":
        try:
            arg = HASH.parse(arg).hex().upper()
        except ValueError as e:
            raise invalid_params(f"arg {e}", "arg") from None
    if len(peer.subs) >= MAX_PER_PEER:
        raise RpcError(LIMIT_EXCEEDED, f"Limit exceeded: {MAX_PER_PEER} subscriptions per "
                       "connection", {"max_subscriptions": MAX_PER_PEER})
    hub = ctx.gw.hub
    sub_id = hub.subscribe(peer, kind, arg)
    ctx.gw.metrics.subscriptions.set(hub.count)
    if kind == "tx":
        ctx.conn.after.append(lambda: hub.tx_already_included(peer, sub_id, arg))
    return sub_id


async def unsubscribe(ctx: CallContext, params: dict[str, Any]) -> bool:
    done = ctx.gw.hub.unsubscribe(ctx.conn.ws, params["id"])
    ctx.gw.metrics.subscriptions.set(ctx.gw.hub.count)
    return done


def _sub_id(v: Any) -> str:
    if not isinstance(v, str) or len(v) > 100:
        raise ValueError("must be a subscription id string")
    return v


SUB_ID = ParamType("SubscriptionId", _sub_id)

METHODS = [
    Method("fictra_subscribe", subscribe, (
        Param("kind", KIND, "newHeads, account, tx or prices"),
        Param("arg", ARG, "address for account, tx hash for tx", required=False)),
        {"name": "subscription", "schema": {"$ref": "#/components/schemas/SubscriptionId"}},
        "Subscribe to notifications (WebSocket only); they arrive as fictra_subscription "
        "messages {subscription, result} and end with the connection.",
        ws_only=True, errors=(NOT_SUPPORTED, LIMIT_EXCEEDED)),
    Method("fictra_unsubscribe", unsubscribe, (Param("id", SUB_ID, "subscription id"),),
           {"name": "removed", "schema": BOOL},
           "End a subscription; false if this connection has no such subscription.",
           ws_only=True, errors=(NOT_SUPPORTED,)),
]


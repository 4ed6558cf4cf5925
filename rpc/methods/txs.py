"""Transactions: send signed bytes, simulate them, read a receipt.

A tx the node refuses in CheckTx answers -32003 with the ABCI code and log in ``data``; the
gateway first runs the app's own stateless decode and validation, so garbage never reaches
the node. Bytes the node already holds (in its mempool or recently included) answer -32003
with ``data.reason = "already known"`` (as Ethereum nodes do): a wallet retrying its own tx
takes that as sent; a wallet that signed identical bytes by chance (same key, nonce and
content as another sender of that key) learns that its nonce is taken.
"""

from __future__ import annotations

from typing import Any

from app.errors import TxError
from app.modules.router import validate_basic
from app.tx.codec import decode_tx, tx_hash
from rpc.cometclient import NodeError
from rpc.errors import INVALID_PARAMS, LIMIT_EXCEEDED, TX_REJECTED, RpcError
from rpc.jsonrpc import CallContext, Method
from rpc.params import HASH, OPTIONS, TX_BYTES, Param
from rpc.schemas import BOOL, INT, STR, obj, ref
from rpc.simulate import simulate

SCHEMAS = {
    "Simulation": obj({
        "would_pass": BOOL, "code": INT, "log": STR, "fee": ref("Amount"),
        "required_fee": ref("Amount"), "size": INT, "height": INT,
        "events": {"type": "array", "items": ref("Event")},
    }),
}

_TX = Param("tx", TX_BYTES, "signed tx bytes, 0x-hex or base64")
MEMPOOL_FULL_RETRY_S = 2.0  # about one block


def _rejected(code: int, log: str, digest: bytes) -> RpcError:
    return RpcError(TX_REJECTED, f"Transaction rejected: {log}",
                    {"code": code, "log": log, "hash": digest.hex().upper()})


async def send_raw(ctx: CallContext, params: dict[str, Any]) -> str:
    raw: bytes = params["tx"]
    digest = tx_hash(raw)
    try:
        dtx = decode_tx(raw, digest)
        validate_basic(dtx.msgs)
    except TxError as e:
        raise _rejected(int(e.code), e.log, digest) from None
    try:
        r = await ctx.gw.node.broadcast_tx_sync(raw)
    except NodeError as e:
        if "already exists in cache" in e.data:
            raise RpcError(TX_REJECTED, "Transaction rejected: already known",
                           {"reason": "already known", "hash": digest.hex().upper()}) from None
        if "mempool is full" in e.data:
            raise RpcError(LIMIT_EXCEEDED, "Limit exceeded: the node's mempool is full",
                           {"retry_after": MEMPOOL_FULL_RETRY_S}) from None
        if "too large" in e.data:
            raise _rejected(2, "tx is larger than the node's mempool accepts", digest) from None
        raise
    code = int(r.get("code") or 0)
    if code:
        raise _rejected(code, r.get("log") or "", digest)
    ctx.gw.pending.accepted(dtx.signer, dtx.nonce)
    ctx.gw.keep(raw, dtx)
    return str(r.get("hash") or digest.hex().upper())


async def simulate_tx(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    opts = params["options"] or {}
    unknown = set(opts) - {"sig_verify"}
    if unknown or not isinstance(opts.get("sig_verify", True), bool):
        raise RpcError(INVALID_PARAMS, 'Invalid params: options may hold only "sig_verify" '
                       "(a boolean)", {"param": "options"})
    def charge() -> None:  # a simulation reading many keys costs its caller more calls
        ctx.gw.limiter.charge(ctx.conn.identity, ctx.conn.tier)

    return await simulate(ctx.gw, params["tx"], opts.get("sig_verify", True), charge)


async def get_transaction(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any] | None:
    tx_hash = params["hash"].hex().upper()
    found = await ctx.gw.lookup_tx(tx_hash)
    return found if found is not None else ctx.gw.tx_status(tx_hash)


METHODS = [
    Method("fictra_sendRawTransaction", send_raw, (_TX,),
           {"name": "hash", "schema": ref("HexHash")},
           "Submit signed tx bytes; answers the tx hash once the node's CheckTx accepted it.",
           description="Inclusion comes later: poll fictra_getTransaction or subscribe to "
           '"tx". A tx the node refuses answers -32003 with data {code, log, hash}.',
           errors=(TX_REJECTED, LIMIT_EXCEEDED)),
    Method("fictra_simulateTransaction", simulate_tx, (
        _TX, Param("options", OPTIONS, '{"sig_verify": false} skips the signature check '
                   "(to price a tx before signing it)", required=False)),
        {"name": "simulation", "schema": ref("Simulation")},
        "Would the tx pass against the latest committed state, and which fee does it need?",
        description="Runs the application's own checks; nothing is sent. required_fee is "
        "base_fee + fee_per_byte * size for the tx as given."),
    Method("fictra_getTransaction", get_transaction, (Param("hash", HASH, "tx hash"),),
           {"name": "receipt", "schema": {"oneOf": [{"type": "null"}, ref("Receipt"),
                                                    ref("TxStatus")]}},
           "A tx's receipt (status, height, code, log, events) once it is in a block.",
           description="Receipts come from the analytics index (or the node's tx index for a "
           "gateway without one) and, for the latest blocks, from the blocks the gateway "
           "follows. Before that, a tx this gateway accepted answers {status: pending} "
           "(the gateway keeps it and offers it to the node again if the node lost it) or "
           "{status: dropped, reason} once it can no longer commit; any other hash: null."),
]

"""``fictra_getProof``: a value with its Merkle proof and the signed header that anchors it.

State at height h hashes to the app hash that CometBFT puts in header h + 1, so the answer
carries that header, its commit (the validators' signatures) and the validator set of that
height (to check the signatures against); asked for the latest height,
the gateway waits for the next block (one block interval) rather than answer a proof nobody
can check yet. The wallet checks the proof with ``state.proof.verify_proof``.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from rpc.errors import NOT_FOUND, RpcError
from rpc.jsonrpc import CallContext, Method
from rpc.params import HEIGHT, Param, ParamType
from rpc.schemas import INT, STR, nullable, obj, ref

HEADER_WAIT_S = 15.0
_PATH = re.compile(r"^/[A-Za-z0-9_./?=&:-]{1,500}$")
_STORE = re.compile(r"^([a-z]{1,16})/((?:[0-9a-fA-F]{2}){1,4096})$")


def _proof_key(v: Any) -> str:
    """``/account/fic1...`` (an app query path) or ``<shard>/<hex key>`` -> a query path."""
    if isinstance(v, str) and _PATH.match(v):
        return v
    m = _STORE.match(v) if isinstance(v, str) else None
    if m:
        return f"/store/{m.group(1)}/{m.group(2).lower()}"
    raise ValueError("must be a query path like /account/fic1... or <shard>/<hex key>")


PROOF_KEY = ParamType("ProofKey", _proof_key)

SCHEMAS = {
    "ProofKey": {"type": "string", "description": "an app query path (/account/fic1..., "
                 "/params, /supply, /proposal/<id>) or <shard>/<hex state key>"},
    "ProofOp": obj({"type": STR, "key": STR, "data": STR}),
    "Proof": obj({
        "path": STR, "shard": STR, "key": STR, "value": nullable(STR), "height": INT,
        "proof": obj({"ops": {"type": "array", "items": ref("ProofOp")}}),
        "header": {"type": "object", "required": ["height", "app_hash", "chain_id"]},
        "commit": {"type": "object", "required": ["height", "block_id", "signatures"]},
        "validators": {"type": "array", "items": obj({
            "address": STR, "voting_power": STR,
            "pub_key": obj({"type": STR, "value": STR})})},
    }),
}


async def get_proof(ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
    gw = ctx.gw
    path = params["key"]
    r = await gw.query(path, params["height"], prove=True)
    ops = r.proof_ops or []
    if len(ops) < 2:
        raise RpcError(NOT_FOUND, f"Resource not found: no proof for {path}",
                       {"log": r.log})
    shard = base64.b64decode(ops[-1]["key"]).decode("ascii", "replace")
    anchor = r.height + 1
    if not await gw.wait_for_height(anchor, HEADER_WAIT_S):
        raise RpcError(NOT_FOUND, f"Resource not found: header {anchor} is not committed yet",
                       {"retry_after": 2.0})
    signed = (await gw.node.commit(anchor))["signed_header"]
    validators = await gw.node.validators(anchor)
    return {
        "path": path, "shard": shard, "key": r.key.hex(),
        # An absent key answers no value; the proof says absence (the wallet checks that).
        "value": r.value.hex() if r.value else None,
        "height": r.height,
        "proof": {"ops": ops},
        "header": signed["header"],
        "commit": signed["commit"],
        "validators": [{"address": v["address"], "pub_key": v["pub_key"],
                        "voting_power": v["voting_power"]} for v in validators],
    }


METHODS = [
    Method("fictra_getProof", get_proof, (
        Param("key", PROOF_KEY, "what to prove: an app query path or <shard>/<hex key>"),
        Param("height", HEIGHT, "state height (default: latest)", required=False)),
        {"name": "proof", "schema": ref("Proof")},
        "A value (hex of the stored bytes) with its proof (CometBFT ProofOps, base64 fields), "
        "the header height + 1 whose app_hash the proof checks against, its commit and the "
        "validator set that signed it.",
        description="For the latest height the answer waits for the next block.",
        cache=True, errors=(NOT_FOUND,)),
]

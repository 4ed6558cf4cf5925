"""The OpenRPC document (``rpc.discover``), assembled from the registered methods.

Each method's params come from its ``Param`` declarations and its result from its content
descriptor, so the document describes exactly what the gateway parses and answers; tests
check every method's answers against it.
"""

from __future__ import annotations

from typing import Any

from rpc import errors as E
from rpc.jsonrpc import Registry
from rpc.methods import module_schemas
from rpc.schemas import SCHEMAS

VERSION = "0.1.0"
GENERIC_ERRORS = (E.PARSE_ERROR, E.INVALID_REQUEST, E.METHOD_NOT_FOUND, E.INVALID_PARAMS,
                  E.INTERNAL_ERROR, E.UNAVAILABLE, E.LIMIT_EXCEEDED)

DESCRIPTION = """\
JSON-RPC 2.0 over HTTP POST (`/`) and WebSocket (`/ws`, or an upgrade on `/`), the same methods
on both; batches of up to 100 calls. Amounts, nonces and ids are decimal strings in base
units (6 decimals); heights and codes are integers; hashes are 64 hex digits.

Errors: -32700 parse error, -32600 invalid request (also a body over the size limit, HTTP
413), -32601 method not found, -32602 invalid params (data.param names it), -32603 internal
error, and from EIP-1474: -32001 resource not found (a height not available), -32002 node
unavailable, -32003 transaction rejected (data: code, log, hash), -32004 method not supported
over this transport, -32005 limit exceeded (data.retry_after in seconds; HTTP 429 with a
Retry-After header when every call of a request was refused).

Rate limits per API key tier (header X-API-Key or `Authorization: Bearer KEY`;
none: FREE): FREE 2 calls/s (burst 10), BASIC 10 (50), PRO 40 (200), MARKET_MAKER 200 (500).
"""


def _ref(name: str) -> str:
    return f"#/components/schemas/{name}"


def build_document(registry: Registry) -> dict[str, Any]:
    schemas = {**SCHEMAS, **module_schemas()}
    methods = []
    for m in registry.methods.values():
        codes = sorted(set(GENERIC_ERRORS) | set(m.errors), reverse=True)
        entry: dict[str, Any] = {
            "name": m.name,
            "summary": m.summary,
            "params": [p.openrpc() for p in m.params],
            "result": m.result,
            "errors": [{"code": c, "message": E.MESSAGES[c]} for c in codes],
            "paramStructure": "either",
        }
        if m.description:
            entry["description"] = m.description
        if m.ws_only:
            entry["x-transport"] = "websocket"
        methods.append(entry)
    return {
        "openrpc": "1.2.6",
        "info": {"title": "FICTRA wallet gateway", "version": VERSION,
                 "description": DESCRIPTION},
        "methods": methods,
        "components": {"schemas": schemas},
    }

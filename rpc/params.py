"""Method parameters: each type parses a JSON value and names its OpenRPC schema.

A method declares its parameters once (``Param``); the same declaration binds positional or
named JSON-RPC params, answers -32602 naming the bad parameter, and writes the method's
``params`` in the OpenRPC document, so the two cannot drift apart.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.crypto import from_bech32
from rpc.errors import invalid_params

MAX_HEIGHT = 2**63 - 1
_HASH = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")
_HEX = re.compile(r"^0x([0-9a-fA-F]{2})*$")


@dataclass(frozen=True)
class ParamType:
    schema: str  # name under components/schemas
    parse: Callable[[Any], Any]  # raises ValueError with a readable message


def _address(v: Any) -> bytes:
    if not isinstance(v, str):
        raise ValueError("must be a bech32 address string (fic1...)")
    return from_bech32(v)


def _height(v: Any) -> int:
    # Heights may come as numbers or decimal strings (CometBFT writes them as strings).
    if isinstance(v, str) and v.isdigit() and len(v) <= 19:
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_HEIGHT:
        raise ValueError("must be a non-negative integer height (0 or omitted: latest)")
    return v


def _hash(v: Any) -> bytes:
    if not isinstance(v, str) or not _HASH.match(v):
        raise ValueError("must be a 32-byte hash in hex (64 hex digits, optional 0x)")
    return bytes.fromhex(v[2:] if v.startswith("0x") else v)


def _tx_bytes(v: Any) -> bytes:
    """0x-prefixed hex (Ethereum) or standard base64 (CometBFT, Solana)."""
    if not isinstance(v, str) or not v:
        raise ValueError("must be the signed tx bytes as 0x-hex or base64 text")
    if v.startswith("0x"):
        if not _HEX.match(v):
            raise ValueError("is not valid 0x-hex")
        return bytes.fromhex(v[2:])
    try:
        return base64.b64decode(v, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is neither 0x-hex nor valid base64") from None


def _page(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1_000_000:
        raise ValueError("must be an integer page number from 1")
    return v


def _per_page(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 100:
        raise ValueError("must be an integer from 1 to 100")
    return v


def _text(v: Any) -> str:
    if not isinstance(v, str) or not v or len(v) > 512:
        raise ValueError("must be a non-empty string of at most 512 characters")
    return v


def _uint_id(v: Any) -> int:
    if isinstance(v, str) and v.isdigit() and len(v) <= 20:
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 2**64:
        raise ValueError("must be a non-negative integer (number or decimal string)")
    return v


def _options(v: Any) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise ValueError("must be an object")
    return v


ADDRESS = ParamType("Address", _address)
HEIGHT = ParamType("Height", _height)
HASH = ParamType("Hash", _hash)
TX_BYTES = ParamType("TxBytes", _tx_bytes)
PAGE = ParamType("Page", _page)
PER_PAGE = ParamType("PerPage", _per_page)
TEXT = ParamType("Text", _text)
UINT_ID = ParamType("UintId", _uint_id)
OPTIONS = ParamType("Options", _options)


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType
    description: str = ""
    required: bool = True
    schema: dict[str, Any] | None = None  # overrides the type's component schema

    def openrpc(self) -> dict[str, Any]:
        return {
            "name": self.name, "required": self.required, "description": self.description,
            "schema": self.schema or {"$ref": f"#/components/schemas/{self.type.schema}"},
        }


def bind(params: Any, spec: tuple[Param, ...]) -> dict[str, Any]:
    """JSON-RPC params (array, object or absent) -> {name: parsed value or None}."""
    if params is None:
        params = []
    if isinstance(params, list):
        if len(params) > len(spec):
            raise invalid_params(f"expected at most {len(spec)} params, got {len(params)}")
        given = {p.name: v for p, v in zip(spec, params, strict=False)}
    elif isinstance(params, dict):
        unknown = sorted(set(params) - {p.name for p in spec})
        if unknown:
            raise invalid_params(f"unknown param {unknown[0]!r}", unknown[0])
        given = dict(params)
    else:
        raise invalid_params("params must be an array or an object")
    out: dict[str, Any] = {}
    for p in spec:
        v = given.get(p.name)
        if v is None:
            if p.required:
                raise invalid_params(f"missing required param {p.name!r}", p.name)
            out[p.name] = None
            continue
        try:
            out[p.name] = p.type.parse(v)
        except ValueError as e:
            raise invalid_params(f"{p.name} {e}", p.name) from None
    return out

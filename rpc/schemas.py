"""JSON Schemas shared by the methods (OpenRPC ``components/schemas``).

Conventions: amounts, nonces and ids are decimal strings (uint64 exceeds what JavaScript
numbers hold exactly); heights, codes and counts are JSON integers; hashes are 64 hex digits,
upper-case like CometBFT's; addresses are bech32 ``fic1...``; bytes are 0x-hex or base64.
"""

from __future__ import annotations

from typing import Any


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(props: dict[str, Any], required: list[str] | None = None, *,
        extra: bool = False) -> dict[str, Any]:
    return {"type": "object", "properties": props,
            "required": list(props) if required is None else required,
            "additionalProperties": extra}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [{"type": "null"}, schema]}


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Address": {"type": "string", "pattern": "^fic1[02-9ac-hj-np-z]{38}$",
                "description": "bech32 address, prefix fic"},
    "Height": {"oneOf": [{"type": "integer", "minimum": 0},
                         {"type": "string", "pattern": "^[0-9]{1,19}$"}],
               "description": "block height; 0 or omitted means the latest"},
    "Hash": {"type": "string", "pattern": "^(0x)?[0-9a-fA-F]{64}$",
             "description": "SHA-256 hash in hex"},
    "TxBytes": {"type": "string", "description": "signed tx bytes: 0x-hex or base64"},
    "Page": {"type": "integer", "minimum": 1},
    "PerPage": {"type": "integer", "minimum": 1, "maximum": 100},
    "Text": {"type": "string", "minLength": 1, "maxLength": 512},
    "UintId": {"oneOf": [{"type": "integer", "minimum": 0},
                         {"type": "string", "pattern": "^[0-9]{1,20}$"}]},
    "Options": {"type": "object"},
    "Amount": {"type": "string", "pattern": "^[0-9]{1,20}$",
               "description": "integer in base units (6 decimals)"},
    "HexHash": {"type": "string", "pattern": "^[0-9A-F]{64}$"},
    "Event": obj({"type": STR,
                  "attributes": {"type": "object", "additionalProperties": STR}}),
    "Receipt": obj({
        "hash": ref("HexHash"), "height": INT, "index": INT,
        "status": {"enum": ["success", "failed"]}, "code": INT, "log": STR, "codespace": STR,
        "signer": nullable(ref("Address")), "fee": ref("Amount"),
        "events": {"type": "array", "items": ref("Event")},
    }),
    # A tx the gateway accepted that is not in a block (yet): still pending (kept and offered
    # to the node again if it lost it), or dropped for good with the reason.
    "TxStatus": obj({
        "hash": ref("HexHash"), "status": {"enum": ["pending", "dropped"]}, "reason": STR,
        "resends": INT, "accepted_height": INT,
    }),
}

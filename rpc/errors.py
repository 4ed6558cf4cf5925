"""JSON-RPC error codes and the exception every method raises to answer one.

Codes are JSON-RPC 2.0's own (-32700..-32603) plus the ones wallets know from Ethereum's
EIP-1474 (-32000..-32005). ``data`` carries the machine-readable detail: the ABCI code and log
of a rejected tx, the retry-after of a rate limit, which parameter was wrong.
"""

from __future__ import annotations

from typing import Any

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
# EIP-1474
INVALID_INPUT = -32000
NOT_FOUND = -32001
UNAVAILABLE = -32002
TX_REJECTED = -32003
NOT_SUPPORTED = -32004
LIMIT_EXCEEDED = -32005

MESSAGES: dict[int, str] = {
    PARSE_ERROR: "Parse error",
    INVALID_REQUEST: "Invalid request",
    METHOD_NOT_FOUND: "Method not found",
    INVALID_PARAMS: "Invalid params",
    INTERNAL_ERROR: "Internal error",
    INVALID_INPUT: "Invalid input",
    NOT_FOUND: "Resource not found",
    UNAVAILABLE: "Resource unavailable",
    TX_REJECTED: "Transaction rejected",
    NOT_SUPPORTED: "Method not supported",
    LIMIT_EXCEEDED: "Limit exceeded",
}


class RpcError(Exception):
    """Raised anywhere below a method handler; becomes the call's ``error`` object."""

    def __init__(self, code: int, message: str | None = None, data: Any = None) -> None:
        self.code = code
        self.message = message or MESSAGES.get(code, "Error")
        self.data = data
        super().__init__(self.message)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        return out


def invalid_params(message: str, param: str | None = None) -> RpcError:
    return RpcError(INVALID_PARAMS, f"Invalid params: {message}",
                    {"param": param} if param else None)


def rate_limited(retry_after: float, tier: str, rate: float, burst: int) -> RpcError:
    return RpcError(LIMIT_EXCEEDED, f"Limit exceeded: rate limit of tier {tier}",
                    {"retry_after": round(retry_after, 3), "tier": tier, "rate": rate,
                     "burst": burst})

"""A small synchronous client for CometBFT's JSON-RPC (status, blocks), used by the CLI."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any


class RpcError(Exception):
    pass


def call(url: str, method: str, timeout: float = 2.0, **params: Any) -> dict[str, Any]:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            answer = json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise RpcError(f"{url} {method}: {exc}") from exc
    if "error" in answer:
        raise RpcError(f"{url} {method}: {answer['error']}")
    return answer["result"]


def parse_time_ns(text: str) -> int:
    """RFC 3339 with up to nanoseconds (CometBFT's block time) -> ns since the epoch."""
    main, _, frac = text.rstrip("Z").partition(".")
    seconds = int(datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).timestamp())
    return seconds * 1_000_000_000 + int((frac + "000000000")[:9])

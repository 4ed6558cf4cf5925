"""An async client for CometBFT's JSON-RPC (HTTP POST), the gateway's only way to the chain.

Bytes travel as base64 and 64-bit integers as decimal strings, as CometBFT's JSON expects.
Transport failures raise ``NodeUnavailable``; errors the node answers raise ``NodeError``.
"""

from __future__ import annotations

import base64
import itertools
import json
from dataclasses import dataclass
from typing import Any

import aiohttp


class NodeUnavailable(Exception):
    """The node could not be reached or did not answer in time."""


class NodeError(Exception):
    """The node answered a JSON-RPC error."""

    def __init__(self, method: str, error: dict[str, Any]) -> None:
        self.code = error.get("code")
        self.message = str(error.get("message", ""))
        self.data = str(error.get("data", ""))
        super().__init__(f"{method}: {self.message}: {self.data}")


@dataclass
class QueryResult:
    """CometBFT's ResponseQuery, decoded."""

    code: int
    log: str
    info: str
    key: bytes
    value: bytes
    proof_ops: list[dict[str, Any]] | None  # [{"type", "key", "data"}], key/data base64
    height: int
    codespace: str

    def info_json(self) -> Any:
        return json.loads(self.info) if self.info else None


def _b64(text: str | None) -> bytes:
    return base64.b64decode(text) if text else b""


class CometClient:
    def __init__(self, url: str, *, timeout: float = 10.0, connections: int = 256) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._ids = itertools.count(1)

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1).replace("https://", "wss://", 1) \
            + "/websocket"

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def call(self, method: str, **params: Any) -> Any:
        body = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        try:
            async with self.session().post(self.url, json=body) as resp:
                answer = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as e:
            raise NodeUnavailable(f"{self.url} {method}: {e or type(e).__name__}") from None
        if not isinstance(answer, dict):
            raise NodeUnavailable(f"{self.url} {method}: not a JSON-RPC answer")
        if answer.get("error"):
            raise NodeError(method, answer["error"])
        return answer.get("result")

    # -- typed helpers -------------------------------------------------------------------------
    async def status(self) -> dict[str, Any]:
        return await self.call("status")

    async def abci_query(self, path: str, data: bytes = b"", height: int = 0,
                         prove: bool = False) -> QueryResult:
        r = (await self.call("abci_query", path=path, data=data.hex(), height=str(height),
                             prove=prove))["response"]
        ops = (r.get("proofOps") or {}).get("ops")
        return QueryResult(
            code=int(r.get("code") or 0), log=r.get("log") or "", info=r.get("info") or "",
            key=_b64(r.get("key")), value=_b64(r.get("value")), proof_ops=ops,
            height=int(r.get("height") or 0), codespace=r.get("codespace") or "",
        )

    async def broadcast_tx_sync(self, raw: bytes) -> dict[str, Any]:
        return await self.call("broadcast_tx_sync", tx=base64.b64encode(raw).decode())

    async def tx(self, tx_hash: bytes) -> dict[str, Any] | None:
        """The indexed tx result, or None when the node does not know the hash (yet)."""
        try:
            return await self.call("tx", hash=base64.b64encode(tx_hash).decode())
        except NodeError as e:
            if "not found" in e.data:
                return None
            raise

    async def tx_search(self, query: str, page: int, per_page: int,
                        order_by: str = "desc") -> dict[str, Any]:
        return await self.call("tx_search", query=query, prove=False, page=str(page),
                               per_page=str(per_page), order_by=order_by)

    async def block(self, height: int) -> dict[str, Any]:
        return await self.call("block", height=str(height))

    async def block_results(self, height: int) -> dict[str, Any]:
        return await self.call("block_results", height=str(height))

    async def num_unconfirmed_txs(self) -> int:
        return int((await self.call("num_unconfirmed_txs")).get("total") or 0)

    async def commit(self, height: int) -> dict[str, Any]:
        return await self.call("commit", height=str(height))

    async def validators(self, height: int) -> list[dict[str, Any]]:
        """The validator set at ``height`` (0: the latest)."""
        out: list[dict[str, Any]] = []
        page = 1
        at = {"height": str(height)} if height else {}
        while True:
            r = await self.call("validators", page=str(page), per_page="100", **at)
            out += r["validators"]
            if len(out) >= int(r["total"]) or not r["validators"]:
                return out
            page += 1

    async def unconfirmed_txs(self, limit: int = 100) -> tuple[list[bytes], int]:
        """(the first ``limit`` mempool txs, how many the mempool holds)."""
        r = await self.call("unconfirmed_txs", limit=str(limit))
        return [base64.b64decode(t) for t in (r.get("txs") or [])], int(r.get("total") or 0)

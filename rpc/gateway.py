"""The gateway's parts joined: node client, block follower, read cache, rate limiter,
subscriptions, metrics and the method registry. The HTTP/WebSocket server (``rpc.server``)
puts a transport in front of it.

Nothing here is durable: a gateway can be restarted or run in several copies at will.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from app.errors import Code
from app.tx.codec import DecodedTx
from rpc import errors as E
from rpc import receipts
from rpc.cache import ReadCache
from rpc.cometclient import CometClient, NodeError, NodeUnavailable, QueryResult
from rpc.config import GatewayConfig
from rpc.errors import RpcError
from rpc.follower import BlockFollower, NewBlock
from rpc.indexer import reader
from rpc.jsonrpc import Dispatcher
from rpc.methods import build_registry
from rpc.metrics import Metrics
from rpc.openrpc import build_document
from rpc.outbox import Entry, Outbox
from rpc.pending import PendingNonces
from rpc.ratelimit import RateLimiter
from rpc.subscriptions import SubscriptionHub

log = logging.getLogger("fictra.rpc")


class Gateway:
    def __init__(self, config: GatewayConfig) -> None:
        self.config = config
        self.node = CometClient(config.node)
        self.registry = build_registry()
        self.openrpc = build_document(self.registry)
        self.metrics = Metrics(set(self.registry.methods))
        self.cache = ReadCache(on_hit=self.metrics.cache_hits.inc)
        self.limiter = RateLimiter(config.tiers, enabled=config.rate_limit)
        self.dispatcher = Dispatcher(self, self.registry, self.limiter, self.metrics, self.cache)
        self.pending = PendingNonces()
        self.outbox = Outbox()
        self.hub = SubscriptionHub(self._account_at, self._tx_receipt)
        self.follower = BlockFollower(self.node.ws_url, self._on_block, self._on_live)
        self.height = 0  # latest block height seen
        self._new_height = asyncio.Event()
        self._chain_id: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._resender: asyncio.Task[None] | None = None
        self.ft_supported: bool | None = None  # learnt from the app on first use
        # History and analytics come from the index; without one, from the node's tx index.
        self.index = reader.Reader(config.index) if config.index else None
        self.recent = receipts.RecentReceipts()  # bridges the index's lag behind the chain

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        self._task = asyncio.create_task(self.follower.run())
        self._resender = asyncio.create_task(self._resend_loop())

    async def close(self) -> None:
        self.follower.stop()
        if self._resender is not None:
            self._resender.cancel()
        for task in (self._task, self._resender):
            if task is not None:
                await asyncio.gather(task, return_exceptions=True)
        await self.node.close()
        if self.index is not None:
            self.index.close()

    # -- following blocks ----------------------------------------------------------------------
    def _on_live(self, live: bool) -> None:
        self.metrics.following.set(1 if live else 0)
        if live:
            self.cache.enabled = True
        else:
            self.cache.disable()

    async def _on_block(self, block: NewBlock) -> None:
        if block.height > self.height:
            self.height = block.height
        self.cache.advance(block.height)
        self.outbox.included(block.tx_hashes)
        self.recent.add_block(block.height, block.tx_hashes, block.tx_results)
        self.metrics.height.set(block.height)
        self._new_height.set()
        self._new_height = asyncio.Event()
        await self.hub.on_block(block)

    async def wait_for_height(self, height: int, timeout: float) -> bool:
        """Wait until block ``height`` is committed (the follower says so, or status does)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.height >= height:
                return True
            if not self.follower.live:
                st = await self.node.status()
                self.height = max(self.height, int(st["sync_info"]["latest_block_height"]))
                if self.height >= height:
                    return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_height.wait(),
                                       min(left, 0.5 if not self.follower.live else left))

    # -- reads shared by several methods -------------------------------------------------------
    async def chain_id(self) -> str:
        if self._chain_id is None:
            self._chain_id = str((await self.node.status())["node_info"]["network"])
        return self._chain_id

    async def query(self, path: str, height: int | None = None, prove: bool = False,
                    data: bytes = b"") -> QueryResult:
        """ABCI query; the app's query codes become JSON-RPC errors, except not-found (71),
        which the caller sees as ``code`` to answer null."""
        r = await self.node.abci_query(path, data=data, height=height or 0, prove=prove)
        if r.code in (0, Code.QUERY_NOT_FOUND):
            return r
        if r.code == Code.QUERY_BAD_HEIGHT:
            raise RpcError(E.NOT_FOUND, f"Resource not found: {r.log}",
                           {"code": r.code, "log": r.log})
        if r.code == Code.QUERY_BAD_PATH:
            raise RpcError(E.INVALID_PARAMS, f"Invalid params: {r.log}",
                           {"code": r.code, "log": r.log})
        raise RpcError(E.INTERNAL_ERROR, f"Internal error: query {path} answered {r.code}",
                       {"code": r.code, "log": r.log})

    async def account(self, address: str, height: int | None = None) -> dict[str, Any]:
        r = await self.query(f"/account/{address}", height)
        return {**r.info_json(), "height": r.height}

    async def _account_at(self, address: str, height: int) -> dict[str, Any]:
        return await self.account(address, height)

    async def _tx_receipt(self, tx_hash: str) -> dict[str, Any] | None:
        return await self.lookup_tx(tx_hash)

    async def lookup_tx(self, tx_hash: str) -> dict[str, Any] | None:
        """A committed tx's receipt (hash upper-case hex), or None if it is in no block yet:
        from the index, else the node's tx index; the blocks this gateway saw last cover the
        moments the index has not written them yet."""
        if self.index is not None:
            try:
                found = await self.index.run(reader.tx, tx_hash)
            except RpcError:  # the index cannot be read: the latest blocks may still know
                recent = self.recent.get(tx_hash)
                if recent is None:
                    raise
                return recent
        else:
            doc = await self.node.tx(bytes.fromhex(tx_hash))
            found = receipts.from_indexed(doc) if doc else None
        return found if found is not None else self.recent.get(tx_hash)

    # -- accepted txs: kept until they are in a block (``rpc.outbox``) ----------------------
    def keep(self, raw: bytes, dtx: DecodedTx) -> None:
        self.outbox.add(Entry(raw, dtx.hash.hex().upper(), dtx.signer, dtx.nonce,
                              dtx.timeout_height, self.height))

    def tx_status(self, tx_hash: str) -> dict[str, Any] | None:
        e = self.outbox.pending(tx_hash)
        if e is not None:
            return {"hash": tx_hash, "status": "pending", "reason": "", "resends": e.resends,
                    "accepted_height": e.accepted_height}
        reason = self.outbox.dropped(tx_hash)
        if reason is not None:
            return {"hash": tx_hash, "status": "dropped", "reason": reason, "resends": 0,
                    "accepted_height": 0}
        return None

    async def _resend_loop(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            try:
                for entry in self.outbox.due():
                    if not await self._resend(entry):
                        break  # the node is down: try again later
            except Exception:  # noqa: BLE001 - the loop must outlive any one failure
                log.exception("re-offering accepted txs failed")

    async def _resend(self, e: Entry) -> bool:
        """Offer a tx not yet in a block to the node again; False if the node is down."""
        if e.timeout_height and self.height >= e.timeout_height:
            self.outbox.drop(e.hash, f"timeout_height {e.timeout_height} passed")
            return True
        e.sent_at = time.monotonic()
        try:
            r = await self.node.broadcast_tx_sync(e.raw)
        except NodeUnavailable:
            return False
        except NodeError:
            return True  # still in the node's cache or mempool, or the mempool is full
        code = int(r.get("code") or 0)
        if code == 0:
            e.resends += 1
            self.outbox.resent += 1
            log.warning("tx %s had left the node's mempool: offered again", e.hash)
        elif code == Code.NONCE_TOO_LOW:
            if await self.lookup_tx(e.hash):
                self.outbox.included([e.hash])  # in a block this gateway did not see
            else:
                self.outbox.drop(e.hash, f"nonce {e.nonce} was used by another tx")
        elif code != Code.NONCE_TOO_HIGH:  # too high: an earlier tx of the sender comes first
            self.outbox.drop(e.hash, f"code {code}: {r.get('log') or ''}")
        return True

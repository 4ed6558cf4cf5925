"""Follow new blocks over CometBFT's websocket (``tm.event='NewBlock'``).

CometBFT fires NewBlock after the app has committed the block, so when a block arrives every
query at "latest" already sees it: the read cache is dropped and subscribers are told. The
event carries the block and its FinalizeBlock results (tx results with events, block events,
the new app hash), so no further request is needed per block. On a lost connection the
follower reports it (the cache turns off) and reconnects with a growing pause.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

log = logging.getLogger("fictra.rpc.follower")


@dataclass
class NewBlock:
    height: int
    hash: str  # block hash, hex upper-case
    time: str  # RFC 3339, from the header
    proposer: str
    app_hash: str  # the app hash after this block (FinalizeBlock's; header height+1 has it)
    tx_hashes: list[str] = field(default_factory=list)
    tx_results: list[dict[str, Any]] = field(default_factory=list)
    block_events: list[dict[str, Any]] = field(default_factory=list)
    seen_at: float = 0.0  # local monotonic time of arrival

    @classmethod
    def from_event(cls, value: dict[str, Any]) -> NewBlock:
        block = value["block"]
        header = block["header"]
        res = value.get("result_finalize_block") or {}
        txs = (block.get("data") or {}).get("txs") or []
        return cls(
            height=int(header["height"]),
            hash=(value.get("block_id") or {}).get("hash", ""),
            time=header["time"],
            proposer=header.get("proposer_address", ""),
            app_hash=base64.b64decode(res.get("app_hash") or "").hex().upper(),
            tx_hashes=[hashlib.sha256(base64.b64decode(t)).hexdigest().upper() for t in txs],
            tx_results=res.get("tx_results") or [],
            block_events=res.get("events") or [],
            seen_at=time.monotonic(),
        )

    def head(self) -> dict[str, Any]:
        """The ``newHeads`` notification body."""
        return {"height": self.height, "hash": self.hash, "time": self.time,
                "proposer": self.proposer, "app_hash": self.app_hash,
                "num_txs": len(self.tx_hashes)}


OnBlock = Callable[[NewBlock], Awaitable[None]]
OnLive = Callable[[bool], None]


class BlockFollower:
    def __init__(self, ws_url: str, on_block: OnBlock, on_live: OnLive) -> None:
        self.ws_url = ws_url
        self.on_block = on_block
        self.on_live = on_live
        self.live = False
        self.last: NewBlock | None = None
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        pause = 0.2
        async with aiohttp.ClientSession() as session:
            while not self._stop.is_set():
                try:
                    await self._follow(session)
                    pause = 0.2
                except (aiohttp.ClientError, OSError, TimeoutError, ValueError, KeyError) as e:
                    log.info("block follower: %s; reconnecting", e or type(e).__name__)
                if self.live:
                    self.live = False
                    self.on_live(False)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), pause)
                pause = min(pause * 2, 5.0)

    async def _follow(self, session: aiohttp.ClientSession) -> None:
        async with session.ws_connect(self.ws_url, heartbeat=10.0,
                                      max_msg_size=64 << 20) as ws:
            await ws.send_json({"jsonrpc": "2.0", "id": "newblock", "method": "subscribe",
                                "params": {"query": "tm.event='NewBlock'"}})
            stop = asyncio.ensure_future(self._stop.wait())
            try:
                while True:
                    recv = asyncio.ensure_future(ws.receive())
                    done, _ = await asyncio.wait({recv, stop},
                                                 return_when=asyncio.FIRST_COMPLETED)
                    if stop in done:
                        recv.cancel()
                        return
                    msg = recv.result()
                    if msg.type != aiohttp.WSMsgType.TEXT:
                        raise aiohttp.ClientError(f"websocket closed ({msg.type.name})")
                    await self._message(msg.json())
            finally:
                stop.cancel()

    async def _message(self, doc: dict[str, Any]) -> None:
        if doc.get("error"):
            raise aiohttp.ClientError(f"subscribe refused: {doc['error']}")
        data = (doc.get("result") or {}).get("data")
        if not data:
            if not self.live:  # the subscription is confirmed
                self.live = True
                self.on_live(True)
            return
        if data.get("type") != "tendermint/event/NewBlock":
            return
        block = NewBlock.from_event(data["value"])
        self.last = block
        try:
            await self.on_block(block)
        except Exception:  # a subscriber's bug must not stop the follower
            log.exception("handling block %d failed", block.height)

"""WebSocket subscriptions: ``newHeads``, ``account`` (address), ``tx`` (hash), ``prices``.

Every subscription belongs to one connection (``WsPeer``) and ends with it. Notifications
follow Ethereum's shape::

    {"jsonrpc": "2.0", "method": "fictra_subscription",
     "params": {"subscription": "0x...", "result": {...}}}

A peer's outgoing messages go through a bounded queue; a client too slow to drain it is
disconnected rather than letting the gateway's memory grow.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from rpc import receipts
from rpc.follower import NewBlock

log = logging.getLogger("fictra.rpc.subs")

KINDS = ("newHeads", "account", "tx", "prices")
MAX_PER_PEER = 100
QUEUE_LIMIT = 1_000


class WsPeer:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.subs: dict[str, tuple[str, str | None]] = {}  # id -> (kind, argument)
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(QUEUE_LIMIT)
        self.closed = False

    def send(self, obj: Any) -> None:
        if self.closed:
            return
        try:
            self.queue.put_nowait(json.dumps(obj, separators=(",", ":")))
        except asyncio.QueueFull:
            log.info("websocket client too slow: closing it")
            self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if not self.queue.full():
                self.queue.put_nowait(None)
            asyncio.ensure_future(self.ws.close())

    async def writer(self) -> None:
        while True:
            text = await self.queue.get()
            if text is None or self.ws.closed:
                return
            await self.ws.send_str(text)


AccountAt = Callable[[str, int], Awaitable[dict[str, Any]]]
TxLookup = Callable[[str], Awaitable[dict[str, Any] | None]]


class SubscriptionHub:
    def __init__(self, account_at: AccountAt, tx_lookup: TxLookup) -> None:
        self.account_at = account_at
        self.tx_lookup = tx_lookup
        self._by_kind: dict[str, dict[str | None, dict[str, WsPeer]]] = {k: {} for k in KINDS}

    @property
    def count(self) -> int:
        return sum(len(peers) for by_arg in self._by_kind.values() for peers in by_arg.values())

    def subscribe(self, peer: WsPeer, kind: str, arg: str | None) -> str:
        sub_id = "0x" + secrets.token_hex(16)
        peer.subs[sub_id] = (kind, arg)
        self._by_kind[kind].setdefault(arg, {})[sub_id] = peer
        return sub_id

    def unsubscribe(self, peer: WsPeer, sub_id: str) -> bool:
        entry = peer.subs.pop(sub_id, None)
        if entry is None:
            return False
        kind, arg = entry
        peers = self._by_kind[kind].get(arg, {})
        peers.pop(sub_id, None)
        if not peers:
            self._by_kind[kind].pop(arg, None)
        return True

    def drop_peer(self, peer: WsPeer) -> None:
        for sub_id in list(peer.subs):
            self.unsubscribe(peer, sub_id)

    @staticmethod
    def notify(peer: WsPeer, sub_id: str, result: Any) -> None:
        peer.send({"jsonrpc": "2.0", "method": "fictra_subscription",
                   "params": {"subscription": sub_id, "result": result}})

    async def tx_already_included(self, peer: WsPeer, sub_id: str, tx_hash: str) -> None:
        """A tx subscription made after the tx was included is answered at once."""
        found = await self.tx_lookup(tx_hash)
        if found is not None and sub_id in peer.subs:
            self.notify(peer, sub_id, found)

    async def on_block(self, block: NewBlock) -> None:
        kinds = self._by_kind
        for sub_id, peer in _flat(kinds["newHeads"]):
            self.notify(peer, sub_id, block.head())
        if kinds["tx"]:
            for i, h in enumerate(block.tx_hashes):
                subs = kinds["tx"].get(h)
                if subs:
                    r = receipts.receipt(h, block.height, i, block.tx_results[i]
                                         if i < len(block.tx_results) else {})
                    for sub_id, peer in list(subs.items()):
                        self.notify(peer, sub_id, r)
        if kinds["account"]:
            await self._accounts(block)
        if kinds["prices"]:
            self._prices(block)

    async def _accounts(self, block: NewBlock) -> None:
        touched: dict[str, list[str]] = {}
        for address in list(self._by_kind["account"]):
            assert address is not None
            hashes = [h for h, res in zip(block.tx_hashes, block.tx_results, strict=False)
                      if receipts.mentions(res.get("events"), address)]
            if receipts.mentions(block.block_events, address) or hashes:
                touched[address] = hashes
        for address, hashes in touched.items():
            try:
                account = await self.account_at(address, block.height)
            except Exception as e:  # noqa: BLE001 - a failed read still tells what happened
                log.info("account %s at %d: %s", address, block.height, e)
                account = None
            result = {"address": address, "height": block.height, "txs": hashes,
                      "account": account}
            for sub_id, peer in list(self._by_kind["account"].get(address, {}).items()):
                self.notify(peer, sub_id, result)

    def _prices(self, block: NewBlock) -> None:
        events = list(block.block_events)
        for res in block.tx_results:
            events += res.get("events") or []
        prices = [{"height": block.height, **e["attributes"]}
                  for e in receipts.events_json(events) if e["type"] == "price"]
        for price in prices:
            for sub_id, peer in _flat(self._by_kind["prices"]):
                self.notify(peer, sub_id, price)


def _flat(by_arg: dict[str | None, dict[str, WsPeer]]) -> list[tuple[str, WsPeer]]:
    return [item for peers in by_arg.values() for item in peers.items()]

"""Tx receipts: CometBFT's indexed tx result rendered the way wallets read it.

Event attributes become an object (our events never repeat a key); the fee and the signer are
lifted out of the ``fee`` event that every tx in a block carries.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from typing import Any

RECENT_TXS = 50_000  # receipts kept from the latest blocks: several full blocks


def events_json(events: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    out = []
    for ev in events or []:
        attrs = {str(a.get("key", "")): str(a.get("value", ""))
                 for a in ev.get("attributes") or []}
        out.append({"type": ev.get("type", ""), "attributes": attrs})
    return out


def receipt(tx_hash: str, height: int, index: int, result: dict[str, Any]) -> dict[str, Any]:
    code = int(result.get("code") or 0)
    events = events_json(result.get("events"))
    fee = next((e["attributes"] for e in events if e["type"] == "fee"), {})
    return {
        "hash": tx_hash.upper(),
        "height": height,
        "index": index,
        "status": "success" if code == 0 else "failed",
        "code": code,
        "log": result.get("log") or "",
        "codespace": result.get("codespace") or "",
        "signer": fee.get("payer"),
        "fee": fee.get("amount", "0"),
        "events": events,
    }


def from_indexed(doc: dict[str, Any]) -> dict[str, Any]:
    """A receipt from CometBFT's ``tx`` / ``tx_search`` answer."""
    return receipt(doc["hash"], int(doc["height"]), int(doc.get("index") or 0),
                   doc.get("tx_result") or {})


def mentions(events: list[dict[str, Any]] | None, value: str) -> bool:
    """True if any attribute of any raw (CometBFT JSON) event equals ``value``."""
    return any(a.get("value") == value for ev in events or []
               for a in ev.get("attributes") or [])


def parties(events: list[dict[str, Any]] | None) -> tuple[str, ...]:
    """The accounts a tx belongs to in histories, from its raw (CometBFT JSON) events: the
    fee payer and every transfer's sender and recipient (as the analytics index counts)."""
    found: dict[str, None] = {}
    for ev in events or []:
        keys = {"fee": ("payer",), "transfer": ("sender", "recipient")}.get(ev.get("type", ""))
        for a in ev.get("attributes") or [] if keys else []:
            if a.get("key") in keys and a.get("value"):
                found[str(a["value"])] = None
    return tuple(found)


class RecentReceipts:
    """The receipts of the txs in the latest blocks, bounded by count (oldest out first), and
    which of them each account is a party to: what a tx index that has not written the latest
    blocks yet is missing."""

    def __init__(self, limit: int = RECENT_TXS) -> None:
        self.limit = limit
        self._by_hash: OrderedDict[str, tuple[int, int, dict[str, Any], tuple[str, ...]]] = \
            OrderedDict()
        self._by_account: dict[str, deque[str]] = {}  # oldest first, as ``_by_hash``

    def add_block(self, height: int, hashes: list[str], results: list[dict[str, Any]]) -> None:
        for i, h in enumerate(hashes):
            if h in self._by_hash:  # a block seen again (the follower reconnected)
                continue
            result = results[i] if i < len(results) else {}
            who = parties(result.get("events"))
            self._by_hash[h] = (height, i, result, who)
            for a in who:
                self._by_account.setdefault(a, deque()).append(h)
        while len(self._by_hash) > self.limit:
            h, (_, _, _, who) = self._by_hash.popitem(last=False)
            for a in who:
                txs = self._by_account[a]
                txs.popleft()  # h: the account's oldest, since eviction is oldest first
                if not txs:
                    del self._by_account[a]

    def get(self, tx_hash: str) -> dict[str, Any] | None:
        found = self._by_hash.get(tx_hash)
        return receipt(tx_hash, *found[:3]) if found else None

    def of_account(self, address: str) -> list[dict[str, Any]]:
        """The receipts of ``address``'s txs among the latest blocks, newest first."""
        hashes = self._by_account.get(address) or ()
        return [receipt(h, *self._by_hash[h][:3]) for h in reversed(hashes)]

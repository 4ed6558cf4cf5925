"""Tx receipts: CometBFT's indexed tx result rendered the way wallets read it.

Event attributes become an object (our events never repeat a key); the fee and the signer are
lifted out of the ``fee`` event that every tx in a block carries.
"""

from __future__ import annotations

from collections import OrderedDict
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


class RecentReceipts:
    """The receipts of the txs in the latest blocks, bounded by count (oldest out first)."""

    def __init__(self, limit: int = RECENT_TXS) -> None:
        self.limit = limit
        self._by_hash: OrderedDict[str, tuple[int, int, dict[str, Any]]] = OrderedDict()

    def add_block(self, height: int, hashes: list[str], results: list[dict[str, Any]]) -> None:
        for i, h in enumerate(hashes):
            self._by_hash[h] = (height, i, results[i] if i < len(results) else {})
        while len(self._by_hash) > self.limit:
            self._by_hash.popitem(last=False)

    def get(self, tx_hash: str) -> dict[str, Any] | None:
        found = self._by_hash.get(tx_hash)
        return receipt(tx_hash, *found) if found else None

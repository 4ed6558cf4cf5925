"""Blocks in CometBFT's RPC JSON (``block`` and ``block_results``) made of real signed txs and
the events the app emits for them, for the index's tests without a node."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any

from app.crypto import Key, to_bech32
from app.tx import builder as tb

CHAIN_ID = "fictra-index-test"
T0 = 1_780_000_000  # seconds since the epoch of block 1


def ev(event_type: str, **attrs: str) -> dict[str, Any]:
    return {"type": event_type, "attributes": [{"key": k, "value": v, "index": True}
                                         for k, v in attrs.items()]}


def rfc3339(ms: int) -> str:
    from datetime import UTC, datetime

    t = datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{t}.{ms % 1000:03d}000000Z"


@dataclass
class Tx:
    raw: bytes
    result: dict[str, Any]

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.raw).hexdigest().upper()


@dataclass
class Chain:
    nonces: dict[bytes, int] = field(default_factory=dict)
    height: int = 0
    time_ms: int = T0 * 1000

    def tx(self, key: Key, msgs: list[Any], events: list[dict[str, Any]], code: int = 0,
           fee: int = 2_000) -> Tx:
        nonce = self.nonces.get(key.address, 0)
        self.nonces[key.address] = nonce + 1
        raw = tb.sign_tx(key, CHAIN_ID, nonce, msgs, fee=fee)
        evs = [ev("fee", payer=key.bech32, amount=str(fee)), *events]
        return Tx(raw, {"code": code, "log": "" if code == 0 else "failed", "events": evs})

    def send(self, key: Key, to: Key, amount: int) -> Tx:
        return self.tx(key, [tb.send(to.address, amount)],
                       [ev("transfer", sender=key.bech32, recipient=to.bech32,
                           amount=str(amount))])

    def block(self, txs: list[Tx], *, interval_ms: int = 2_000,
              block_events: list[dict[str, Any]] | None = None,
              validator_updates: list[dict[str, Any]] | None = None
              ) -> tuple[dict[str, Any], dict[str, Any]]:
        self.height += 1
        self.time_ms += interval_ms
        h = self.height
        block = {"block_id": {"hash": hashlib.sha256(b"block%d" % h).hexdigest().upper()},
                 "block": {"header": {"height": str(h), "time": rfc3339(self.time_ms),
                                      "proposer_address": "AB" * 20},
                           "data": {"txs": [base64.b64encode(t.raw).decode() for t in txs]}}}
        results = {"height": str(h), "txs_results": [t.result for t in txs],
                   "finalize_block_events": block_events or [],
                   "validator_updates": validator_updates or [],
                   "app_hash": base64.b64encode(hashlib.sha256(b"app%d" % h).digest()).decode()}
        return block, results


def address(key: Key | bytes) -> str:
    return key.bech32 if isinstance(key, Key) else to_bech32(key)

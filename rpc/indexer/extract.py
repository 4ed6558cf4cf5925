"""A committed block and its results, as CometBFT's RPC answers them (``block`` and
``block_results``), turned into the index's rows. Pure: no I/O, so it is tested on its own.

The message types come from decoding the tx bytes with the app's own codec (a committed tx
always decodes); everything else comes from the app's events, so the index holds exactly what
the chain emitted.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.errors import TxError
from app.keys import purchase_id
from app.tx.codec import decode_tx
from rpc.receipts import events_json

# The first message's oneof name, as the explorer shows it ("send" reads "transfer").
MSG_NAMES = {"send": "transfer"}
BLOCK_EVENTS = -1  # ``idx`` of a block's own (end-of-block) events


def time_ms(text: str) -> int:
    """RFC 3339 with up to nanoseconds (a header's time) -> milliseconds since the epoch."""
    main, _, frac = text.rstrip("Z").partition(".")
    seconds = int(datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).timestamp())
    return seconds * 1000 + int((frac + "000")[:3])


@dataclass
class Rows:
    """Everything one height adds to the index, in table order."""

    height: int
    block: tuple[Any, ...] = ()
    txs: list[tuple[Any, ...]] = field(default_factory=list)
    account_txs: list[tuple[Any, ...]] = field(default_factory=list)
    transfers: list[tuple[Any, ...]] = field(default_factory=list)
    purchases_new: list[tuple[Any, ...]] = field(default_factory=list)
    purchase_status: list[tuple[Any, ...]] = field(default_factory=list)  # (status, h, id)
    purchase_steps: list[tuple[Any, ...]] = field(default_factory=list)
    attestations: list[tuple[Any, ...]] = field(default_factory=list)
    ft_events: list[tuple[Any, ...]] = field(default_factory=list)
    prices: list[tuple[Any, ...]] = field(default_factory=list)
    validator_updates: list[tuple[Any, ...]] = field(default_factory=list)
    time_ms: int = 0
    num_txs: int = 0


def _int(v: Any) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def pubkey_hex(obj: Any) -> str:
    """The ed25519 key of a validator update in whichever JSON shape CometBFT used."""
    if isinstance(obj, str):
        try:
            raw = base64.b64decode(obj, validate=True)
        except ValueError:
            return ""
        return raw.hex() if len(raw) == 32 else ""
    if isinstance(obj, dict):
        for key in ("ed25519", "value", "Sum", "sum", "pub_key"):
            if key in obj:
                found = pubkey_hex(obj[key])
                if found:
                    return found
    return ""


def _msg_types(raw: bytes, digest: bytes) -> tuple[list[str], dict[str, int]]:
    """(message types in order, purchase id -> quantity for each CreatePurchase)."""
    try:
        dtx = decode_tx(raw, digest)
    except TxError:
        return [], {}
    names, quantities = [], {}
    for i, (kind, msg) in enumerate(dtx.msgs):
        names.append(MSG_NAMES.get(kind, kind))
        if kind == "create_purchase":
            quantities[purchase_id(digest, i).hex()] = int(msg.quantity)  # type: ignore[attr-defined]
    return names, quantities


def extract(block_doc: dict[str, Any], results: dict[str, Any],
            prev_time_ms: int | None) -> Rows:
    """Rows for one height; ``prev_time_ms`` is the previous block's time (None if unknown)."""
    block = block_doc["block"]
    header = block["header"]
    height = int(header["height"])
    t_text = str(header["time"])
    t_ms = time_ms(t_text)
    day = t_text[:10]
    raws = [base64.b64decode(t) for t in (block.get("data") or {}).get("txs") or []]
    tx_results = results.get("txs_results") or []
    rows = Rows(height=height, time_ms=t_ms, num_txs=len(raws))
    app_hash = base64.b64decode(results.get("app_hash") or "").hex().upper()
    rows.block = (height, t_text, t_ms, str((block_doc.get("block_id") or {}).get("hash", "")),
                  app_hash, str(header.get("proposer_address", "")), len(raws),
                  None if prev_time_ms is None else t_ms - prev_time_ms)
    quantities: dict[str, int] = {}
    for i, raw in enumerate(raws):
        digest = hashlib.sha256(raw).digest()
        res = tx_results[i] if i < len(tx_results) else {}
        events = events_json(res.get("events"))
        names, qty = _msg_types(raw, digest)
        quantities.update(qty)
        fee = next((e["attributes"] for e in events if e["type"] == "fee"), {})
        signer = fee.get("payer", "")
        rows.txs.append((height, i, digest.hex().upper(), signer, names[0] if names else "",
                         ",".join(names), _int(res.get("code")), str(res.get("log") or ""),
                         str(res.get("codespace") or ""), _int(fee.get("amount")),
                         json.dumps(events, separators=(",", ":"))))
        touched = {signer} if signer else set()
        _events(rows, height, i, day, events, quantities, touched)
        rows.account_txs.extend((a, height, i) for a in sorted(touched))
    _events(rows, height, BLOCK_EVENTS, day,
            events_json(results.get("finalize_block_events")), quantities, set())
    for seq, u in enumerate(results.get("validator_updates") or []):
        rows.validator_updates.append((height, seq, pubkey_hex(u.get("pub_key")),
                                       _int(u.get("power"))))
    return rows


def _events(rows: Rows, height: int, idx: int, day: str, events: list[dict[str, Any]],
            quantities: dict[str, int], touched: set[str]) -> None:
    for seq, ev in enumerate(events):
        a = ev["attributes"]
        kind = ev["type"]
        if kind == "transfer":
            rows.transfers.append((height, idx, seq, a.get("sender", ""),
                                   a.get("recipient", ""), _int(a.get("amount"))))
            touched.update(x for x in (a.get("sender"), a.get("recipient")) if x)
        elif kind == "purchase":
            pid, status = a.get("id", ""), a.get("status", "")
            if status == "open":
                rows.purchases_new.append((pid, a.get("buyer", ""), a.get("seller", ""),
                                           a.get("commodity", ""), quantities.get(pid, 0),
                                           _int(a.get("value")), status, height, day, height))
            else:
                rows.purchase_status.append((status, height, pid))
            detail = {k: v for k, v in a.items()
                      if k not in ("id", "buyer", "seller", "status")}
            rows.purchase_steps.append((pid, height, idx, seq, status,
                                        json.dumps(detail, sort_keys=True)))
        elif kind == "attestation":
            rows.attestations.append((a.get("purchase", ""), height, idx, seq,
                                      a.get("kind", ""), a.get("verifier", ""),
                                      a.get("verdict", "")))
        elif kind == "ft_issued":
            rows.ft_events.append((height, idx, seq, "issued", a.get("sovereign", ""),
                                   _int(a.get("amount")), 0, a.get("purchase", "")))
        elif kind == "ft_converted":
            rows.ft_events.append((height, idx, seq, "converted", a.get("sovereign", ""),
                                   _int(a.get("amount")), _int(a.get("pt_amount")), ""))
        elif kind == "price":
            rows.prices.append((a.get("commodity", ""), _int(a.get("round")), height,
                                _int(a.get("price")), a.get("status", ""),
                                _int(a.get("submissions"))))

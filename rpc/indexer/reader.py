"""The queries the gateway answers from the index, on a small pool of read connections.

Each query is a plain function of a ``Database`` (tested against both backends); ``Reader``
runs them on its own threads, one connection per thread, so the gateway's event loop never
waits on the database. Every list is bounded by its caller's ``limit``.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any, TypeVar

from app.crypto import from_bech32, to_bech32
from app.errors import Code
from rpc.errors import UNAVAILABLE, RpcError
from rpc.indexer.db import Database, DatabaseError

T = TypeVar("T")
_CURSOR = re.compile(r"^([0-9]{1,19})(?::([0-9]{1,9}))?$")
_HEX64 = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")
_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")

_TX_COLS = "t.hash, t.height, t.idx, t.code, t.log, t.codespace, t.signer, t.fee, t.events"


class Reader:
    """Read connections to the index (``threads`` of them), opened on first use."""

    def __init__(self, url: str, threads: int = 4) -> None:
        self.url = url
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="index-read")
        self._local = threading.local()
        self._all: list[Database] = []
        self._lock = threading.Lock()

    def _db(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = Database(self.url, readonly=True)
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(db, *args)`` on a read thread; a database failure answers -32002."""
        def call() -> T:
            try:
                return fn(self._db(), *args)
            except DatabaseError as e:
                self._forget()  # the next call opens a fresh connection
                raise RpcError(UNAVAILABLE, "Resource unavailable: the analytics index "
                               f"cannot be read: {e}", {"reason": "index"}) from None

        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def _forget(self) -> None:
        db = getattr(self._local, "db", None)
        self._local.db = None
        if db is not None:
            db.close()
            with self._lock:
                self._all.remove(db)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        with self._lock:
            for db in self._all:
                db.close()


def code_name(code: int) -> str:
    try:
        return Code(code).name
    except ValueError:
        return f"CODE_{code}"


def parse_cursor(value: Any) -> tuple[int, int] | None:
    """``before`` as given: a height (int or digits) or ``"HEIGHT:INDEX"``; the exclusive
    (height, index) bound it means. Raises ValueError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("must be a height or a \"HEIGHT:INDEX\" cursor")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("must be a non-negative height")
        return value, 0
    m = _CURSOR.match(value) if isinstance(value, str) else None
    if not m:
        raise ValueError("must be a height or a \"HEIGHT:INDEX\" cursor")
    return int(m.group(1)), int(m.group(2) or 0)


def _receipt(row: tuple[Any, ...]) -> dict[str, Any]:
    tx_hash, height, idx, code, log, codespace, signer, fee, events = row
    return {"hash": tx_hash, "height": int(height), "index": int(idx),
            "status": "success" if int(code) == 0 else "failed", "code": int(code),
            "log": log, "codespace": codespace, "signer": signer or None, "fee": str(fee),
            "events": json.loads(events)}


def _block(row: tuple[Any, ...]) -> dict[str, Any]:
    height, time_, hash_, proposer, num_txs, interval = row
    return {"height": int(height), "time": time_, "hash": hash_, "proposer": proposer,
            "num_txs": int(num_txs),
            "interval_ms": None if interval is None else int(interval)}


# -- blocks and txs ----------------------------------------------------------------------------
def latest_height(db: Database) -> int:
    return db.last_height()


def blocks(db: Database, before: int | None, limit: int) -> dict[str, Any]:
    latest = db.last_height()
    top = latest + 1 if before is None else min(before, latest + 1)
    rows = db.query("SELECT height, time, hash, proposer, num_txs, interval_ms FROM blocks "
                    "WHERE height < ? ORDER BY height DESC LIMIT ?", (top, limit + 1))
    out = [_block(r) for r in rows[:limit]]
    more = len(rows) > limit
    return {"latest_height": latest, "blocks": out,
            "next_before": out[-1]["height"] if more and out else None}


def block(db: Database, height: int) -> dict[str, Any] | None:
    row = db.one("SELECT height, time, hash, proposer, num_txs, interval_ms, app_hash "
                 "FROM blocks WHERE height = ? AND height <= (SELECT value FROM meta "
                 "WHERE key = 'last_height')", (height,))
    if row is None:
        return None
    out = _block(row[:6])
    out["app_hash"] = row[6]
    txs = db.query("SELECT hash, idx, signer, type, msg_types, code, fee FROM txs "
                   "WHERE height = ? ORDER BY idx", (height,))
    out["txs"] = [{"hash": h, "index": int(i), "signer": s or None, "type": t,
                   "msg_types": [m for m in mt.split(",") if m], "code": int(c),
                   "code_name": code_name(int(c)), "fee": str(f)}
                  for h, i, s, t, mt, c, f in txs]
    ups = db.query("SELECT pub_key, power FROM validator_updates WHERE height = ? "
                   "ORDER BY seq", (height,))
    out["validator_updates"] = [{"pub_key": k, "power": str(p)} for k, p in ups]
    return out


def tx(db: Database, tx_hash: str) -> dict[str, Any] | None:
    row = db.one(f"SELECT {_TX_COLS} FROM txs t WHERE t.hash = ?", (tx_hash.upper(),))
    return _receipt(row) if row else None


def history(db: Database, address: str, before: tuple[int, int] | None, limit: int,
            offset: int = 0) -> tuple[list[dict[str, Any]], bool]:
    """The account's txs newest first below ``before`` (after skipping ``offset``), and
    whether more remain."""
    sql = (f"SELECT {_TX_COLS} FROM account_txs a JOIN txs t "
           "ON t.height = a.height AND t.idx = a.idx WHERE a.address = ?")
    args: list[Any] = [address]
    if before is not None:
        sql += " AND (a.height < ? OR (a.height = ? AND a.idx < ?))"
        args += [before[0], before[0], before[1]]
    sql += " ORDER BY a.height DESC, a.idx DESC LIMIT ? OFFSET ?"
    rows = db.query(sql, [*args, limit + 1, offset])
    return [_receipt(r) for r in rows[:limit]], len(rows) > limit


def search(db: Database, query: str) -> dict[str, str]:
    q = query.strip()
    none = {"kind": "none", "key": q}
    if q.isdigit() and len(q) <= 19:
        found = db.one("SELECT height FROM blocks WHERE height = ?", (int(q),))
        return {"kind": "block", "key": str(int(q))} if found else none
    if _HEX64.match(q):
        h = q.removeprefix("0x").upper()
        if db.one("SELECT 1 FROM txs WHERE hash = ?", (h,)):
            return {"kind": "tx", "key": h}
        row = db.one("SELECT height FROM blocks WHERE hash = ?", (h,))
        return {"kind": "block", "key": str(row[0])} if row else none
    if _HEX32.match(q):
        pid = q.lower()
        found = db.one("SELECT 1 FROM purchases WHERE id = ?", (pid,))
        return {"kind": "purchase", "key": pid} if found else none
    if q.lower().startswith("fic1"):
        try:
            return {"kind": "address", "key": to_bech32(from_bech32(q.lower()))}
        except ValueError:
            return none
    return none


# -- analytics ---------------------------------------------------------------------------------
def _decimal(numerator: int, denominator: int, places: int) -> str:
    """numerator / denominator rounded half up to ``places`` decimals, without floats."""
    if denominator <= 0:
        return "0." + "0" * places if places else "0"
    scale = 10 ** places
    v = (numerator * scale * 2 + denominator) // (2 * denominator)
    whole, frac = divmod(v, scale)
    return f"{whole}.{frac:0{places}d}" if places else str(whole)


def network(db: Database, n: int) -> dict[str, Any]:
    latest = db.last_height()
    rows = db.query("SELECT height, time, num_txs, interval_ms FROM blocks WHERE height <= ? "
                    "ORDER BY height DESC LIMIT ?", (latest, n))
    rows.reverse()
    series = [{"height": int(h), "time": t, "num_txs": int(k),
               "interval_ms": None if i is None else int(i)} for h, t, k, i in rows]
    timed = [s for s in series if s["interval_ms"] is not None]
    span_ms = sum(s["interval_ms"] for s in timed)
    txs = sum(s["num_txs"] for s in timed)
    low = series[0]["height"] if series else latest + 1
    by_type = db.query("SELECT type, COUNT(*) FROM txs WHERE height >= ? AND height <= ? "
                       "GROUP BY type ORDER BY type", (low, latest))
    return {"height": latest, "blocks": len(series),
            "tx_per_s": _decimal(txs * 1000, span_ms, 1),
            "block_interval_s": _decimal(span_ms, 1000 * len(timed), 2),
            "txs_by_type": {t or "unknown": int(c) for t, c in by_type}, "series": series}


def trade(db: Database, days: int) -> dict[str, Any]:
    last = db.one("SELECT time FROM blocks WHERE height = (SELECT value FROM meta "
                  "WHERE key = 'last_height')")
    volume: list[dict[str, Any]] = []
    if last is not None:
        first_day = (date.fromisoformat(str(last[0])[:10]) - timedelta(days=days - 1))
        rows = db.query("SELECT commodity, created_day, COUNT(*), SUM(quantity), SUM(value) "
                        "FROM purchases WHERE created_day >= ? GROUP BY commodity, "
                        "created_day ORDER BY created_day, commodity",
                        (first_day.isoformat(),))
        volume = [{"commodity": c, "day": d, "count": int(k), "quantity": str(int(q)),
                   "value_pt": str(int(v))} for c, d, k, q, v in rows]
    statuses = db.query("SELECT status, COUNT(*) FROM purchases GROUP BY status "
                        "ORDER BY status")
    ft = db.query("SELECT sovereign, SUM(CASE WHEN kind = 'issued' THEN amount ELSE 0 END), "
                  "SUM(CASE WHEN kind = 'converted' THEN amount ELSE 0 END) FROM ft_events "
                  "GROUP BY sovereign ORDER BY sovereign")
    return {"volume": volume, "purchases_by_status": {s: int(c) for s, c in statuses},
            "ft_by_sovereign": [{"sovereign": s, "issued": str(int(i)),
                                 "converted": str(int(c))} for s, i, c in ft]}

"""Write one height: its rows and the last-height marker in one transaction.

The marker moves from ``h - 1`` to ``h`` only in the transaction that writes ``h``'s rows, so
a process killed at any moment leaves the index at a whole height: on restart it continues at
the marker + 1, never writes a height twice and leaves no gap. A second writer on the same
database (or a height out of order) finds the marker elsewhere and changes nothing.
"""

from __future__ import annotations

from rpc.indexer.db import Database
from rpc.indexer.extract import Rows

_INSERTS = (
    ("txs", "INSERT INTO txs (height, idx, hash, signer, type, msg_types, code, log, "
            "codespace, fee, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    ("account_txs", "INSERT INTO account_txs (address, height, idx) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING"),
    ("transfers", "INSERT INTO transfers (height, idx, seq, sender, recipient, amount) "
                  "VALUES (?, ?, ?, ?, ?, ?)"),
    ("purchases_new", "INSERT INTO purchases (id, buyer, seller, commodity, quantity, value, "
                      "status, created_height, created_day, updated_height) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    ("purchase_steps", "INSERT INTO purchase_steps (purchase, height, idx, seq, status, "
                       "detail) VALUES (?, ?, ?, ?, ?, ?)"),
    ("attestations", "INSERT INTO attestations (purchase, height, idx, seq, kind, verifier, "
                     "verdict) VALUES (?, ?, ?, ?, ?, ?, ?)"),
    ("ft_events", "INSERT INTO ft_events (height, idx, seq, kind, sovereign, amount, "
                  "pt_amount, purchase) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
    ("prices", "INSERT INTO prices (commodity, round, height, price, status, submissions) "
               "VALUES (?, ?, ?, ?, ?, ?)"),
    ("validator_updates", "INSERT INTO validator_updates (height, seq, pub_key, power) "
                          "VALUES (?, ?, ?, ?)"),
)


class OutOfOrder(Exception):
    """The marker is not at the height before this one: nothing was written."""


def write(db: Database, rows: Rows) -> None:
    with db.transaction():
        moved = db.execute("UPDATE meta SET value = ? WHERE key = 'last_height' AND value = ?",
                           (rows.height, rows.height - 1))
        if moved != 1:
            raise OutOfOrder(f"height {rows.height}: the index is at {db.last_height()}")
        db.execute("INSERT INTO blocks (height, time, time_ms, hash, app_hash, proposer, "
                   "num_txs, interval_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.block)
        for attr, sql in _INSERTS:
            db.executemany(sql, getattr(rows, attr))
        # Status changes in event order, after this height's new purchases exist.
        for status, height, pid in rows.purchase_status:
            db.execute("UPDATE purchases SET status = ?, updated_height = ? WHERE id = ?",
                       (status, height, pid))


def start_height(db: Database, first: int) -> int:
    """The next height to index: the marker + 1, or the node's first height for a new index
    (a node started from a snapshot keeps no earlier blocks)."""
    last = db.last_height()
    if last == 0 and first > 1:
        with db.transaction():
            db.execute("UPDATE meta SET value = ? WHERE key = 'last_height' AND value = 0",
                       (first - 1,))
        return first
    return last + 1

"""The index's tables: one schema for SQLite and PostgreSQL (portable types only).

Amounts are BIGINT base units (every amount is bounded by the maximum supply, 10^18, which
fits); times are the header's RFC 3339 text plus milliseconds since the epoch for arithmetic;
hashes are upper-case hex, purchase ids lower-case hex (as the app's events carry them),
addresses bech32. ``idx`` is a tx's index in its block, -1 for a block's own (end-of-block)
events.
"""

from __future__ import annotations

VERSION = 1

TABLES = (
    """CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS blocks (
        height BIGINT PRIMARY KEY,
        time TEXT NOT NULL,
        time_ms BIGINT NOT NULL,
        hash TEXT NOT NULL,
        app_hash TEXT NOT NULL,
        proposer TEXT NOT NULL,
        num_txs INTEGER NOT NULL,
        interval_ms BIGINT)""",
    "CREATE INDEX IF NOT EXISTS blocks_hash ON blocks (hash)",
    """CREATE TABLE IF NOT EXISTS txs (
        height BIGINT NOT NULL,
        idx INTEGER NOT NULL,
        hash TEXT NOT NULL,
        signer TEXT NOT NULL,
        type TEXT NOT NULL,
        msg_types TEXT NOT NULL,
        code INTEGER NOT NULL,
        log TEXT NOT NULL,
        codespace TEXT NOT NULL,
        fee BIGINT NOT NULL,
        events TEXT NOT NULL,
        PRIMARY KEY (height, idx))""",
    "CREATE UNIQUE INDEX IF NOT EXISTS txs_hash ON txs (hash)",
    "CREATE INDEX IF NOT EXISTS txs_type ON txs (type, height)",
    # Every tx an account signed or received a transfer in: history pages by (height, idx).
    """CREATE TABLE IF NOT EXISTS account_txs (
        address TEXT NOT NULL,
        height BIGINT NOT NULL,
        idx INTEGER NOT NULL,
        PRIMARY KEY (address, height, idx))""",
    """CREATE TABLE IF NOT EXISTS transfers (
        height BIGINT NOT NULL,
        idx INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        sender TEXT NOT NULL,
        recipient TEXT NOT NULL,
        amount BIGINT NOT NULL,
        PRIMARY KEY (height, idx, seq))""",
    "CREATE INDEX IF NOT EXISTS transfers_sender ON transfers (sender, height)",
    "CREATE INDEX IF NOT EXISTS transfers_recipient ON transfers (recipient, height)",
    """CREATE TABLE IF NOT EXISTS purchases (
        id TEXT PRIMARY KEY,
        buyer TEXT NOT NULL,
        seller TEXT NOT NULL,
        commodity TEXT NOT NULL,
        quantity BIGINT NOT NULL,
        value BIGINT NOT NULL,
        status TEXT NOT NULL,
        created_height BIGINT NOT NULL,
        created_day TEXT NOT NULL,
        updated_height BIGINT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS purchases_day ON purchases (created_day, commodity)",
    "CREATE INDEX IF NOT EXISTS purchases_status ON purchases (status)",
    """CREATE TABLE IF NOT EXISTS purchase_steps (
        purchase TEXT NOT NULL,
        height BIGINT NOT NULL,
        idx INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        status TEXT NOT NULL,
        detail TEXT NOT NULL,
        PRIMARY KEY (purchase, height, idx, seq))""",
    """CREATE TABLE IF NOT EXISTS attestations (
        purchase TEXT NOT NULL,
        height BIGINT NOT NULL,
        idx INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        verifier TEXT NOT NULL,
        verdict TEXT NOT NULL,
        PRIMARY KEY (purchase, height, idx, seq))""",
    "CREATE INDEX IF NOT EXISTS attestations_verifier ON attestations (verifier, height)",
    """CREATE TABLE IF NOT EXISTS ft_events (
        height BIGINT NOT NULL,
        idx INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        sovereign TEXT NOT NULL,
        amount BIGINT NOT NULL,
        pt_amount BIGINT NOT NULL,
        purchase TEXT NOT NULL,
        PRIMARY KEY (height, idx, seq))""",
    "CREATE INDEX IF NOT EXISTS ft_events_sovereign ON ft_events (sovereign, kind)",
    """CREATE TABLE IF NOT EXISTS prices (
        commodity TEXT NOT NULL,
        round BIGINT NOT NULL,
        height BIGINT NOT NULL,
        price BIGINT NOT NULL,
        status TEXT NOT NULL,
        submissions INTEGER NOT NULL,
        PRIMARY KEY (commodity, round, height))""",
    """CREATE TABLE IF NOT EXISTS validator_updates (
        height BIGINT NOT NULL,
        seq INTEGER NOT NULL,
        pub_key TEXT NOT NULL,
        power BIGINT NOT NULL,
        PRIMARY KEY (height, seq))""",
)

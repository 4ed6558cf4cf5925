"""One connection type over SQLite (stdlib ``sqlite3``) and PostgreSQL (psycopg 3).

SQL is written once with ``?`` placeholders and portable types; for PostgreSQL the
placeholders become ``%s``. A URL picks the backend: ``postgresql://...`` (or
``postgres://``) is PostgreSQL, anything else a SQLite file path (``sqlite:///path`` also
works). SQLite runs in WAL mode, so the gateway reads while the indexer writes.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from rpc.indexer import schema

Row = tuple[Any, ...]


class DatabaseError(Exception):
    """The database could not be opened or answered an error."""


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def describe(url: str) -> str:
    """The URL without a password, for logs and status lines."""
    if not is_postgres(url):
        return url
    scheme, _, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    if not at:
        return url
    user = creds.partition(":")[0]
    return f"{scheme}://{user}@{host}"


class Database:
    def __init__(self, url: str, *, readonly: bool = False) -> None:
        self.url = url
        self.postgres = is_postgres(url)
        try:
            self._conn: Any = self._open_pg(url) if self.postgres else self._open_sqlite(
                url, readonly)
        except Exception as e:  # noqa: BLE001 - every driver's open failure reads the same
            raise DatabaseError(f"cannot open {describe(url)}: {e}") from None

    @staticmethod
    def _open_sqlite(url: str, readonly: bool) -> sqlite3.Connection:
        path = url.removeprefix("sqlite://")
        if readonly:  # a reader never creates the file: before the indexer does, it fails
            conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True,
                                   isolation_level=None, check_same_thread=False,
                                   timeout=30.0)
            conn.execute("PRAGMA query_only=ON")
            return conn
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # autocommit off by hand: every write goes through ``transaction`` below.
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                               timeout=30.0)
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a commit survives a killed process (the WAL is written before
        # the commit returns); only an OS crash can lose the last commits, never half of one.
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    @staticmethod
    def _open_pg(url: str) -> Any:
        import psycopg  # imported here: only a PostgreSQL index needs the driver loaded

        return psycopg.connect(url, autocommit=True)

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._conn.close()

    # -- reads and writes ----------------------------------------------------------------------
    def query(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        try:
            cur = self._conn.execute(self._sql(sql), tuple(args))
            return [tuple(r) for r in cur.fetchall()]
        except Exception as e:
            raise DatabaseError(str(e)) from e

    def one(self, sql: str, args: Sequence[Any] = ()) -> Row | None:
        rows = self.query(sql, args)
        return rows[0] if rows else None

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        cur = self._conn.execute(self._sql(sql), tuple(args))
        return int(cur.rowcount)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.postgres:
            with self._conn.cursor() as cur:
                cur.executemany(self._sql(sql), rows)
        else:
            self._conn.executemany(sql, rows)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements inside commit together or not at all."""
        if self.postgres:
            with self._conn.transaction():
                yield
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- schema and the marker -----------------------------------------------------------------
    def create_schema(self) -> None:
        with self.transaction():
            for ddl in schema.TABLES:
                self.execute(ddl)
            self.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                         "ON CONFLICT (key) DO NOTHING", (schema.VERSION,))
            self.execute("INSERT INTO meta (key, value) VALUES ('last_height', 0) "
                         "ON CONFLICT (key) DO NOTHING")
        version = self.one("SELECT value FROM meta WHERE key = 'schema_version'")
        if version is None or int(version[0]) != schema.VERSION:
            raise DatabaseError(f"{describe(self.url)} holds schema version "
                                f"{version and version[0]}, this indexer writes "
                                f"{schema.VERSION}: index into a new database")

    def last_height(self) -> int:
        """The last height fully indexed (0: none); 0 also before the schema exists."""
        try:
            row = self.one("SELECT value FROM meta WHERE key = 'last_height'")
        except DatabaseError:
            return 0
        return int(row[0]) if row else 0

"""What a query path resolves to: one record (``Single``) or a list of records
(``ListRoute``), and the error a bad path raises."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.errors import Code

# (shard, key, JSON renderer of the raw value, code when the key is absent, or None)
Single = tuple[str, bytes, Callable[[bytes | None], Any], Code | None]


class BadPath(Exception):
    def __init__(self, log: str, code: Code = Code.QUERY_BAD_PATH) -> None:
        super().__init__(log)
        self.code = code
        self.log = log


@dataclass
class ListRoute:
    """Records found at a height: (shard, keys in order) and the JSON of (key, value) pairs."""

    shard: str
    keys: list[bytes]
    render: Callable[[list[tuple[bytes, bytes]]], Any]

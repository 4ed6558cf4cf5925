"""The execution context handlers see: the store overlay, the block's header facts, events."""

from __future__ import annotations

from typing import Any, Protocol

from abci.proto import abci as pb
from app.pb import tx_pb2


class KV(Protocol):
    """The part of ``state.store.Overlay`` the application uses."""

    def get(self, shard: str, key: bytes) -> bytes | None: ...
    def set(self, shard: str, key: bytes, value: bytes) -> None: ...
    def delete(self, shard: str, key: bytes) -> None: ...
    def iterate(self, shard: str, prefix: bytes = b"", start: bytes | None = None) -> Any: ...
    def checkpoint(self) -> int: ...
    def revert(self, cp: int) -> None: ...
    def release(self, cp: int) -> None: ...


class Ctx:
    """One execution: a block being built, proposed or finalized, or the mempool check state."""

    __slots__ = ("store", "height", "time_ns", "chain_id", "events", "_params")

    def __init__(self, store: KV, height: int, time_ns: int, chain_id: str) -> None:
        self.store = store
        self.height = height
        self.time_ns = time_ns  # block time from the header; never the wall clock
        self.chain_id = chain_id
        self.events: list[pb.Event] = []
        self._params: tx_pb2.Params | None = None

    @property
    def params(self) -> tx_pb2.Params:
        if self._params is None:
            from app.modules import gov

            self._params = gov.load_params(self.store)
        return self._params

    def reload_params(self) -> None:
        """Forget cached params (after a params update or a revert)."""
        self._params = None

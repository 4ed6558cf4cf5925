"""The execution context handlers see: the store overlay, the block's header facts, events,
and the few hooks through which one module reaches another without importing it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from app.events import Event
from app.pb import state_pb2, tx_pb2


class KV(Protocol):
    """The part of a store overlay the application uses."""

    def get(self, shard: str, key: bytes) -> bytes | None: ...
    def set(self, shard: str, key: bytes, value: bytes) -> None: ...
    def delete(self, shard: str, key: bytes) -> None: ...
    def iterate(self, shard: str, prefix: bytes = b"", *, start: bytes | None = None
                ) -> Iterator[tuple[bytes, bytes]]: ...
    def checkpoint(self) -> int: ...
    def revert(self, cp: int) -> None: ...
    def release(self, cp: int) -> None: ...


class Vote(NamedTuple):
    """A validator's vote on the previous block, as the decided block's last commit has it."""

    address: bytes  # CometBFT's 20-byte validator address
    power: int
    signed: bool


class Misbehavior(NamedTuple):
    """Evidence CometBFT hands the app: kind 1 duplicate vote, 2 light client attack."""

    kind: int
    address: bytes
    height: int


EntityHook = Callable[[KV, int, bytes, state_pb2.Account], None]


@dataclass(frozen=True)
class Hooks:
    """Wired once by ``app.modules.router``: the params record's reader (gov owns it), the
    council actions every module contributes (gov runs them), and the registries that follow
    entity roles (gov's entity actions and genesis call them)."""

    load_params: Callable[[KV], tx_pb2.Params]
    actions: Mapping[str, Callable[[Ctx, Any], None]]
    entity_hooks: tuple[EntityHook, ...]


class Ctx:
    """One execution: a block being built, proposed or finalized, or the mempool check state."""

    __slots__ = ("store", "height", "time_ns", "chain_id", "hooks", "emit_events", "events",
                 "fees", "tx_hash", "msg_index", "votes", "misbehavior", "_params")

    def __init__(self, store: KV, height: int, time_ns: int, chain_id: str, hooks: Hooks,
                 *, emit_events: bool = True) -> None:
        self.store = store
        self.height = height
        self.time_ns = time_ns  # block time from the header; never the wall clock
        self.chain_id = chain_id
        self.hooks = hooks
        # The check state answers no events, so it does not build them (bech32 is not free).
        self.emit_events = emit_events
        self.events: list[Event] = []
        # Fees taken but not yet credited to the rewards pool: one write per block instead of
        # one per tx (see ``pt.flush_fees``).
        self.fees = 0
        # The tx and message being run (ids derived from a tx, e.g. a purchase's).
        self.tx_hash = b""
        self.msg_index = 0
        # What the block says of the previous one: its votes and any evidence (end of block).
        self.votes: tuple[Vote, ...] = ()
        self.misbehavior: tuple[Misbehavior, ...] = ()
        self._params: tx_pb2.Params | None = None

    def checkpoint(self) -> tuple[int, int, int]:
        """Mark the store, the pending fees and the events, to undo a tx or an action."""
        return self.store.checkpoint(), self.fees, len(self.events)

    def revert(self, cp: tuple[int, int, int]) -> None:
        self.store.revert(cp[0])
        self.fees = cp[1]
        del self.events[cp[2]:]
        self._params = None  # a params update may have been undone

    def release(self, cp: tuple[int, int, int]) -> None:
        self.store.release(cp[0])

    def emit(self, make: Callable[..., Event], *args: Any, **kwargs: Any) -> None:
        """Record the event ``make(*args, **kwargs)`` for the current tx or block end."""
        if self.emit_events:
            self.events.append(make(*args, **kwargs))

    @property
    def params(self) -> tx_pb2.Params:
        if self._params is None:
            self._params = self.hooks.load_params(self.store)
        return self._params

    def reload_params(self) -> None:
        """Forget cached params (after a params update or a revert)."""
        self._params = None

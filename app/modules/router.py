"""The router joins the domain modules: their shards, message handlers and stateless checks
(keyed by the ``Msg.sum`` oneof field name), council actions (keyed by the ``Action.sum``
field), end-of-block work, and the hooks one module reaches another through (``Ctx.hooks``).
A new module adds itself to the tables here and nowhere else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.context import KV, Ctx, Hooks
from app.errors import Code, TxError
from app.modules import catalogue, ft, gov, oracle, pt, stake, trade

# Each module's own shard; the store is opened with this list (order: the WAL and snapshot
# formats list shards in it).
SHARDS: tuple[str, ...] = (pt.SHARD, ft.SHARD, trade.SHARD, oracle.SHARD, gov.SHARD,
                           stake.SHARD)

ACTIONS: dict[str, gov.Action] = {**gov.ACTIONS, **catalogue.ACTIONS, **trade.ACTIONS,
                                  **ft.ACTIONS, **stake.ACTIONS}
_ACTION_CHECKS = {name: check for name, (check, _) in ACTIONS.items()}

HANDLERS: dict[str, Callable[[Ctx, bytes, Any], None]] = {
    **pt.HANDLERS, **gov.HANDLERS, **trade.HANDLERS, **oracle.HANDLERS, **ft.HANDLERS,
    **stake.HANDLERS,
}
VALIDATORS: dict[str, Callable[[Any], None]] = {
    **pt.VALIDATORS, **gov.VALIDATORS, **trade.VALIDATORS, **oracle.VALIDATORS,
    **ft.VALIDATORS, **stake.VALIDATORS,
    "propose": lambda msg: gov.validate_propose(msg, _ACTION_CHECKS),
}
# Order matters only for events: proposals expire, then purchases, then price rounds close.
END_BLOCKERS: tuple[Callable[[Ctx], None], ...] = (gov.end_block, trade.end_block,
                                                  oracle.end_block)

HOOKS = Hooks(
    load_params=gov.load_params,
    actions={name: run for name, (_, run) in ACTIONS.items()},
    entity_hooks=(oracle.on_entity, ft.on_entity),
)


def context(store: KV, height: int, time_ns: int, chain_id: str, *,
            emit_events: bool = True) -> Ctx:
    """A context wired to every module."""
    return Ctx(store, height, time_ns, chain_id, HOOKS, emit_events=emit_events)


def validate_basic(msgs: list[tuple[str, Any]]) -> None:
    """Stateless checks of every message; raises TxError."""
    for i, (kind, msg) in enumerate(msgs):
        check = VALIDATORS.get(kind)
        if check is None:
            raise TxError(Code.TX_INVALID, f"message {i}: unsupported type {kind}")
        try:
            check(msg)
        except TxError as e:
            raise TxError(e.code, f"message {i}: {e.log}") from None


def end_block(ctx: Ctx) -> None:
    """Every module's end-of-block work, then staking's: the block's fees (credited to the
    rewards pool) shared out, slashing, unbonding, the election."""
    for hook in END_BLOCKERS:
        hook(ctx)
    stake.end_block(ctx, pt.flush_fees(ctx))

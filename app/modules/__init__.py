"""Domain modules and the router that joins them: message handlers, stateless validators and
end-of-block hooks, keyed by the ``Msg.sum`` oneof field name. New modules add themselves to
the tables here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.context import Ctx
from app.errors import Code, TxError
from app.modules import catalogue, ft, gov, oracle, pt, trade

HANDLERS: dict[str, Callable[[Ctx, bytes, Any], None]] = {
    **pt.HANDLERS, **gov.HANDLERS, **trade.HANDLERS, **oracle.HANDLERS, **ft.HANDLERS,
}
VALIDATORS: dict[str, Callable[[Any], None]] = {
    **pt.VALIDATORS, **gov.VALIDATORS, **trade.VALIDATORS, **oracle.VALIDATORS,
    **ft.VALIDATORS,
}
# Order matters only for events: proposals expire, then purchases, then price rounds close.
END_BLOCKERS: tuple[Callable[[Ctx], None], ...] = (gov.end_block, trade.end_block,
                                                  oracle.end_block)
# Council actions of the trade modules, and the registries that follow entity roles.
gov.ACTIONS.update({**catalogue.ACTIONS, **trade.ACTIONS, **ft.ACTIONS})
gov.ENTITY_HOOKS = (oracle.on_entity, ft.on_entity)


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

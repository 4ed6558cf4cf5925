"""The gateway's methods, one module per area. A module lists its ``METHODS`` and the
``SCHEMAS`` its answers use; adding an area (as the trade methods were) is one module
added here."""

from __future__ import annotations

from typing import Any

from rpc.jsonrpc import Registry
from rpc.methods import (
    accounts,
    chain,
    discover,
    explorer,
    proofs,
    stake,
    subscribe,
    trade,
    txs,
)

MODULES: tuple[Any, ...] = (chain, accounts, txs, proofs, trade, stake, explorer, subscribe,
                            discover)


def build_registry() -> Registry:
    registry = Registry()
    for module in MODULES:
        for method in module.METHODS:
            registry.add(method)
    return registry


def module_schemas() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for module in MODULES:
        for name, schema in getattr(module, "SCHEMAS", {}).items():
            if name in out:
                raise ValueError(f"schema {name} defined twice")
            out[name] = schema
    return out

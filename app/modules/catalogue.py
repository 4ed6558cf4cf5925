"""The commodity catalogue (shard ``oracle``): what can be bought, in which unit and with how
many decimals, the FT allocation rate, and the verification kinds (each with its quorum) a
delivery needs.

Keys: ``com/<code>`` -> Commodity. Entries come from genesis and from the council's
``set_commodity`` action, which adds or replaces one; ``active: false`` withdraws a commodity
from new purchases and prices. A purchase copies the terms it was made under, so later
changes never alter a purchase already open.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from app import events
from app.context import KV, Ctx
from app.errors import Code, TxError
from app.pb import tx_pb2

SHARD = "oracle"
PREFIX = b"com/"
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,15}$")
MAX_DECIMALS = 6
MAX_QUORUM = 100
MAX_RATE_BPS = 10_000  # FT issued never exceeds the PT value settled
MAX_NAME = 64
MAX_UNIT = 16

KINDS = {
    tx_pb2.VERIFICATION_KIND_SHIPPING: "shipping",
    tx_pb2.VERIFICATION_KIND_CUSTOMS: "customs",
    tx_pb2.VERIFICATION_KIND_QUALITY: "quality",
}
KIND_BY_NAME = {name: kind for kind, name in KINDS.items()}

_Commodity = tx_pb2.Commodity


def key(code: str) -> bytes:
    return PREFIX + code.encode("ascii")


def get(store: KV, code: str) -> tx_pb2.Commodity | None:
    if not CODE_RE.match(code):
        return None
    raw = store.get(SHARD, key(code))
    return _Commodity.FromString(raw) if raw is not None else None


def require_active(store: KV, code: str) -> tx_pb2.Commodity:
    c = get(store, code)
    if c is None:
        raise TxError(Code.COMMODITY_UNKNOWN, f"no commodity {code!r} in the catalogue")
    if not c.active:
        raise TxError(Code.COMMODITY_INACTIVE, f"commodity {code} is withdrawn from trading")
    return c


def put(store: KV, c: tx_pb2.Commodity) -> None:
    store.set(SHARD, key(c.code), c.SerializeToString())


def iterate(store: KV) -> Iterator[tx_pb2.Commodity]:
    for _, raw in store.iterate(SHARD, PREFIX):
        yield _Commodity.FromString(raw)


def problems(c: tx_pb2.Commodity) -> list[str]:
    """What is wrong with a catalogue entry, as ``field: problem`` strings."""
    out: list[str] = []
    if not CODE_RE.match(c.code):
        out.append("code: must be 1-16 characters A-Z, 0-9 or _, starting with a letter")
    if not 0 < len(c.name.encode()) <= MAX_NAME:
        out.append(f"name: must be 1-{MAX_NAME} bytes")
    if not 0 < len(c.unit.encode()) <= MAX_UNIT:
        out.append(f"unit: must be 1-{MAX_UNIT} bytes")
    if c.decimals > MAX_DECIMALS:
        out.append(f"decimals: at most {MAX_DECIMALS}")
    if c.ft_rate_bps > MAX_RATE_BPS:
        out.append(f"ft_rate_bps: at most {MAX_RATE_BPS}")
    if not c.requirements:
        out.append("requirements: a delivery needs at least one verification kind")
    last = 0
    for i, r in enumerate(c.requirements):
        if r.kind not in KINDS:
            out.append(f"requirements[{i}].kind: must be one of {', '.join(KINDS.values())}")
        elif r.kind <= last:
            out.append(f"requirements[{i}].kind: kinds must be listed once, in order "
                       f"({', '.join(KINDS.values())})")
        else:
            last = r.kind
        if not 1 <= r.quorum <= MAX_QUORUM:
            out.append(f"requirements[{i}].quorum: must be 1..{MAX_QUORUM}")
    return out


# -- governance ----------------------------------------------------------------------------------

def validate_set(c: tx_pb2.Commodity) -> None:
    found = problems(c)
    if found:
        raise TxError(Code.TX_INVALID, "set_commodity: " + "; ".join(found))


def execute_set(ctx: Ctx, c: tx_pb2.Commodity) -> None:
    existed = get(ctx.store, c.code) is not None
    put(ctx.store, c)
    ctx.emit(events.commodity, c.code, "update" if existed else "add", c.active)


ACTIONS = {"set_commodity": (validate_set, execute_set)}


# -- JSON (genesis and queries) ------------------------------------------------------------------

def to_json(c: tx_pb2.Commodity) -> dict[str, Any]:
    return {
        "code": c.code, "name": c.name, "unit": c.unit, "decimals": c.decimals,
        "ft_rate_bps": c.ft_rate_bps,
        "requirements": {KINDS.get(r.kind, str(r.kind)): r.quorum for r in c.requirements},
        "active": c.active,
    }


def from_json(doc: dict[str, Any]) -> tx_pb2.Commodity:
    """A catalogue entry from its JSON form (types already checked by the caller)."""
    reqs = sorted((KIND_BY_NAME[k], q) for k, q in doc["requirements"].items())
    return _Commodity(
        code=doc["code"], name=doc["name"], unit=doc["unit"], decimals=doc["decimals"],
        ft_rate_bps=doc["ft_rate_bps"], active=doc.get("active", True),
        requirements=[tx_pb2.Requirement(kind=k, quorum=q) for k, q in reqs],
    )

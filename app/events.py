"""ABCI events the application emits, built in one place so names stay consistent.

Attribute values are strings: addresses in bech32, amounts as integer base units. The
attributes wallets search on (``tx_search "transfer.recipient='fic1...'"``) are ``index: true``.
"""

from __future__ import annotations

from abci.proto import abci as pb
from app.crypto import to_bech32

_Event = pb.Event
_Attr = pb.EventAttribute


def event(kind: str, *attrs: tuple[str, str, bool]) -> pb.Event:
    """``event("x", ("key", "value", indexed), ...)``"""
    return _Event(type=kind, attributes=[_Attr(key=k, value=v, index=i) for k, v, i in attrs])


def transfer(sender: bytes, recipient: bytes, amount: int) -> pb.Event:
    return event(
        "transfer",
        ("sender", to_bech32(sender), True),
        ("recipient", to_bech32(recipient), True),
        ("amount", str(amount), False),
    )


def fee(payer: bytes, amount: int) -> pb.Event:
    return event("fee", ("payer", to_bech32(payer), True), ("amount", str(amount), False))


def entity(address: bytes, change: str, **fields: str) -> pb.Event:
    extra = tuple((k, v, False) for k, v in sorted(fields.items()))
    return event("entity", ("address", to_bech32(address), True), ("change", change, True), *extra)


def proposal(pid: int, action: str, status: str, **fields: str) -> pb.Event:
    extra = tuple((k, v, False) for k, v in sorted(fields.items()))
    return event(
        "proposal", ("id", str(pid), True), ("action", action, True), ("status", status, True),
        *extra,
    )


def vote(pid: int, voter: bytes, option: str) -> pb.Event:
    return event(
        "vote", ("proposal", str(pid), True), ("voter", to_bech32(voter), True),
        ("option", option, False),
    )


def supply(change: str, amount: int, total: int) -> pb.Event:
    return event(
        "supply", ("change", change, True), ("amount", str(amount), False),
        ("total", str(total), False),
    )


def validator(pub_key: bytes, power: int) -> pb.Event:
    return event("validator", ("pub_key", pub_key.hex(), True), ("power", str(power), False))

"""The events the application emits, built in one place so names stay consistent.

An ``Event`` is a neutral value (a type and ``(key, value, indexed)`` attributes); the ABCI
boundary (``app.responses``) turns it into CometBFT's protobuf. Attribute values are strings:
addresses in bech32, amounts as integer base units. The attributes wallets search on
(``tx_search "transfer.recipient='fic1...'"``) are indexed.
"""

from __future__ import annotations

from typing import NamedTuple

from app.crypto import to_bech32

Attribute = tuple[str, str, bool]  # key, value, indexed


class Event(NamedTuple):
    type: str
    attributes: tuple[Attribute, ...]


def event(kind: str, *attrs: Attribute) -> Event:
    """``event("x", ("key", "value", indexed), ...)``"""
    return Event(kind, attrs)


def transfer(sender: bytes, recipient: bytes, amount: int) -> Event:
    return event(
        "transfer",
        ("sender", to_bech32(sender), True),
        ("recipient", to_bech32(recipient), True),
        ("amount", str(amount), False),
    )


def fee(payer: bytes, amount: int) -> Event:
    return event("fee", ("payer", to_bech32(payer), True), ("amount", str(amount), False))


def entity(address: bytes, change: str, **fields: str) -> Event:
    extra = tuple((k, v, False) for k, v in sorted(fields.items()))
    return event("entity", ("address", to_bech32(address), True), ("change", change, True), *extra)


def proposal(pid: int, action: str, status: str, **fields: str) -> Event:
    extra = tuple((k, v, False) for k, v in sorted(fields.items()))
    return event(
        "proposal", ("id", str(pid), True), ("action", action, True), ("status", status, True),
        *extra,
    )


def vote(pid: int, voter: bytes, option: str) -> Event:
    return event(
        "vote", ("proposal", str(pid), True), ("voter", to_bech32(voter), True),
        ("option", option, False),
    )


def supply(change: str, amount: int, total: int) -> Event:
    return event(
        "supply", ("change", change, True), ("amount", str(amount), False),
        ("total", str(total), False),
    )


# -- staking -------------------------------------------------------------------------------------

def stake(action: str, delegator: bytes, operator: bytes, amount: int, **fields: str) -> Event:
    """action: create_validator, edit_validator, delegate, undelegate, redelegate,
    complete_unbonding, unjail."""
    extra = tuple((k, v, False) for k, v in sorted(fields.items()))
    return event(
        "stake", ("action", action, True), ("delegator", to_bech32(delegator), True),
        ("operator", to_bech32(operator), True), ("amount", str(amount), False), *extra,
    )


def validator_set(operator: bytes, change: str, tier: str, power: int) -> Event:
    """change: joined (CometBFT's set), left, tier (moved between secondary and candidate)."""
    return event(
        "validator_set", ("operator", to_bech32(operator), True), ("change", change, True),
        ("tier", tier, True), ("power", str(power), False),
    )


def slash(operator: bytes, reason: str, amount: int, height: int) -> Event:
    """reason: downtime, double_sign; amount: PT taken (bonded, unbonding and redelegated)."""
    return event(
        "slash", ("operator", to_bech32(operator), True), ("reason", reason, True),
        ("amount", str(amount), False), ("infraction_height", str(height), False),
    )


def reward(kind: str, recipient: bytes, amount: int, **fields: str) -> Event:
    """kind: block (a block's fees shared out), withdraw (paid to a delegator or operator)."""
    extra = tuple((k, v, False) for k, v in sorted(fields.items()))
    return event("reward", ("kind", kind, True), ("recipient", to_bech32(recipient), True),
                 ("amount", str(amount), False), *extra)


# -- trade, oracle, FT -----------------------------------------------------------------------------

def purchase(pid: bytes, buyer: bytes, seller: bytes, status: str, **fields: str) -> Event:
    extra = tuple((k, v, False) for k, v in sorted(fields.items()))
    return event(
        "purchase", ("id", pid.hex(), True), ("buyer", to_bech32(buyer), True),
        ("seller", to_bech32(seller), True), ("status", status, True), *extra,
    )


def attestation(pid: bytes, kind: str, verifier: bytes, verdict: str) -> Event:
    return event(
        "attestation", ("purchase", pid.hex(), True), ("kind", kind, True),
        ("verifier", to_bech32(verifier), True), ("verdict", verdict, True),
    )


def ft_issued(sovereign: bytes, amount: int, pid: bytes) -> Event:
    return event(
        "ft_issued", ("sovereign", to_bech32(sovereign), True), ("amount", str(amount), False),
        ("purchase", pid.hex(), True),
    )


def ft_converted(sovereign: bytes, amount: int, pt_amount: int) -> Event:
    return event(
        "ft_converted", ("sovereign", to_bech32(sovereign), True),
        ("amount", str(amount), False), ("pt_amount", str(pt_amount), False),
    )


def price(commodity: str, round_: int, value: int, status: str, submissions: int) -> Event:
    return event(
        "price", ("commodity", commodity, True), ("round", str(round_), True),
        ("price", str(value), False), ("status", status, True),
        ("submissions", str(submissions), False),
    )


def commodity(code: str, change: str, active: bool) -> Event:
    return event("commodity", ("code", code, True), ("change", change, True),
                 ("active", str(active).lower(), False))


def reserve(change: str, amount: int, balance: int) -> Event:
    return event("reserve", ("change", change, True), ("amount", str(amount), False),
                 ("balance", str(balance), False))

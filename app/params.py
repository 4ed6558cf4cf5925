"""Amounts, KYC tiers and roles, and the governance-controlled chain params.

Amounts are integers in PT base units (6 decimals). MAX_SUPPLY (10^18 base units, one
trillion PT) bounds every balance, amount, fee and the total supply; it fits uint64 with room,
so no encoded amount can wrap.
"""

from __future__ import annotations

import re
from typing import Any

from app.iso3166 import is_country
from app.pb import tx_pb2

DECIMALS = 6
UNIT = 10**DECIMALS
MAX_SUPPLY = 10**18

TIERS = ("none", "basic", "enhanced", "corporate", "sovereign")  # index = KycTier value
ROLES = {"trader": 1, "verifier": 2, "oracle": 4, "sovereign": 8, "validator": 16}
ALL_ROLES = sum(ROLES.values())
MAX_VALIDATOR_POWER = 10**12  # keeps CometBFT's total-power bound out of reach

_AMOUNT = re.compile(r"^(\d+)(?:\.(\d{1,6}))?(?:\s*PT)?$")


def parse_amount(text: str) -> int:
    """``"12.5PT"`` or ``"12.5"`` -> 12_500_000 base units; ValueError if malformed or too big."""
    m = _AMOUNT.match(text.strip())
    if not m:
        raise ValueError(f"not an amount: {text!r} (use e.g. 12.5PT, at most {DECIMALS} decimals)")
    value = int(m.group(1)) * UNIT + int((m.group(2) or "").ljust(DECIMALS, "0"))
    if value > MAX_SUPPLY:
        raise ValueError(f"amount {text!r} exceeds the maximum supply")
    return value


def format_amount(base_units: int) -> str:
    """12_500_000 -> ``"12.5"`` (no trailing zeros)."""
    whole, frac = divmod(base_units, UNIT)
    return f"{whole}.{frac:06d}".rstrip("0").rstrip(".") if frac else str(whole)


def roles_to_names(roles: int) -> list[str]:
    return [name for name, bit in ROLES.items() if roles & bit]


def roles_from_names(names: list[str]) -> int:
    bits = 0
    for name in names:
        if name not in ROLES:
            raise ValueError(f"unknown role {name!r} (roles: {', '.join(ROLES)})")
        bits |= ROLES[name]
    return bits


def default_params() -> tx_pb2.Params:
    return tx_pb2.Params(
        base_fee=1_000,  # 0.001 PT
        fee_per_byte=10,
        max_multisend_outputs=100,
        tier_limits=[
            1_000 * UNIT,  # none
            10_000 * UNIT,  # basic
            1_000_000 * UNIT,  # enhanced
            100_000_000 * UNIT,  # corporate
            MAX_SUPPLY,  # sovereign
        ],
        proposal_expiry_blocks=43_200,  # one day of 2-second blocks
        blocked_jurisdictions=[],
        max_deadline_blocks=1_296_000,  # 30 days
        max_expiries_per_block=200,
        oracle_round_blocks=30,  # one minute: the requirements' price update frequency
        oracle_max_deviation_bps=1_000,  # 10 %
        oracle_max_age_rounds=10,
        ft_conversion_rate_bps=10_000,  # 1 FT -> 1 PT
        ft_conversion_cap=10_000_000 * UNIT,
        ft_conversion_window_blocks=43_200,  # a rolling day
        **STAKE_DEFAULTS,
    )


# Staking defaults: Cosmos SDK's usual choices, in 2-second blocks.
STAKE_DEFAULTS = {
    "epoch_blocks": 150,  # an election every 5 minutes
    "primary_slots": 25,
    "secondary_slots": 100,
    "power_reduction": UNIT,  # 1 PT bonded = 1 voting power
    "unbonding_blocks": 907_200,  # 21 days
    "max_entries": 7,
    "community_share_bps": 200,  # 2 %
    "secondary_share_bps": 1_000,  # 10 % of the validators' part
    "signed_window": 10_000,
    "max_missed_blocks": 5_000,  # signed less than half of the window
    "jail_blocks": 300,  # 10 minutes
    "downtime_slash_bps": 1,  # 0.01 %
    "double_sign_slash_bps": 500,  # 5 %
    "min_self_bond": UNIT,
}


# Every scalar param: (name, smallest, largest). The bounds keep every sum and product the
# params take part in within uint64 and the maximum supply (a height plus a number of blocks,
# a fee for the largest tx, an FT conversion at the highest rate), so no council decision can
# make a later tx overflow. Amounts travel as strings in genesis JSON and query answers.
LEDGER_PARAMS = (
    ("base_fee", 0, 10**12),  # 1,000,000 PT
    ("fee_per_byte", 0, 10**9),  # 1,000 PT a byte: the largest tx still costs < MAX_SUPPLY
    ("max_multisend_outputs", 1, 1_000),
    ("proposal_expiry_blocks", 1, 10**9),
)
TRADE_PARAMS = (
    ("max_deadline_blocks", 1, 10**9),
    ("max_expiries_per_block", 1, 100_000),
    ("oracle_round_blocks", 1, 1_000_000),
    ("oracle_max_deviation_bps", 1, 1_000_000),
    ("oracle_max_age_rounds", 1, 1_000_000),
    # A conversion's PT (up to 10^22 at this rate) is held against the reserve, itself within
    # the maximum supply, before anything is written: no record can overflow.
    ("ft_conversion_rate_bps", 0, 100_000_000),
    ("ft_conversion_cap", 0, MAX_SUPPLY),
    ("ft_conversion_window_blocks", 1, 10**9),
)
# Staking: slots within what CometBFT and an election per epoch handle; every bps at most
# 100 %; power_reduction at least 1 PT, so the whole supply's power stays within
# MAX_VALIDATOR_POWER.
STAKE_PARAMS = (
    ("epoch_blocks", 1, 10**6),
    ("primary_slots", 1, 200),
    ("secondary_slots", 0, 1_000),
    ("power_reduction", MAX_SUPPLY // MAX_VALIDATOR_POWER, MAX_SUPPLY),
    ("unbonding_blocks", 1, 10**9),
    ("max_entries", 1, 100),
    ("community_share_bps", 0, 10_000),
    ("secondary_share_bps", 0, 10_000),
    ("signed_window", 1, 10**6),
    ("max_missed_blocks", 0, 10**6),  # at or above signed_window: downtime never jails
    ("jail_blocks", 0, 10**9),
    ("downtime_slash_bps", 0, 10_000),
    ("double_sign_slash_bps", 0, 10_000),
    ("min_self_bond", 1, MAX_SUPPLY),
)
PARAM_BOUNDS = LEDGER_PARAMS + TRADE_PARAMS + STAKE_PARAMS
MAX_BLOCKED_JURISDICTIONS = 300  # more than ISO 3166-1 has codes


def params_problems(p: tx_pb2.Params) -> list[str]:
    """What is wrong with ``p`` as ``field: problem`` strings (empty if valid)."""
    out: list[str] = []
    for name, lo, hi in PARAM_BOUNDS:
        if not lo <= getattr(p, name) <= hi:
            out.append(f"{name}: must be {lo}..{hi}")
    if len(p.tier_limits) != len(TIERS):
        out.append(f"tier_limits: needs {len(TIERS)} entries ({', '.join(TIERS)})")
    elif any(v > MAX_SUPPLY for v in p.tier_limits):
        out.append("tier_limits: a limit exceeds the maximum supply")
    if len(p.blocked_jurisdictions) > MAX_BLOCKED_JURISDICTIONS:
        out.append(f"blocked_jurisdictions: at most {MAX_BLOCKED_JURISDICTIONS}")
    for i, code in enumerate(p.blocked_jurisdictions):
        if not is_country(code):
            out.append(f"blocked_jurisdictions[{i}]: {code!r} is not an ISO 3166-1 alpha-2 code")
    if len(set(p.blocked_jurisdictions)) != len(p.blocked_jurisdictions):
        out.append("blocked_jurisdictions: duplicates")
    return out


def params_to_json(p: tx_pb2.Params) -> dict[str, Any]:
    """Params as genesis/query JSON: amounts as integer strings, tier limits by name."""
    return {
        "base_fee": str(p.base_fee),
        "fee_per_byte": str(p.fee_per_byte),
        "max_multisend_outputs": p.max_multisend_outputs,
        "tier_limits": {t: str(v) for t, v in zip(TIERS, p.tier_limits, strict=False)},
        "proposal_expiry_blocks": str(p.proposal_expiry_blocks),
        "blocked_jurisdictions": list(p.blocked_jurisdictions),
        **{name: str(getattr(p, name)) if name == "ft_conversion_cap" else getattr(p, name)
           for name, _, _ in TRADE_PARAMS},
        **{name: str(getattr(p, name)) if name in _AMOUNT_PARAMS else getattr(p, name)
           for name, _, _ in STAKE_PARAMS},
    }


_AMOUNT_PARAMS = ("power_reduction", "min_self_bond")

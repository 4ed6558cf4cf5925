"""The council actions that change the chain's terms, built from what the user types:
``set-commodity`` (a catalogue entry, starting from the current one when it exists) and
``update-params`` (``KEY=VALUE`` changes to the current params). Both are checked here with
the genesis rules, so a mistake is a clear error before anything is signed."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli import units
from app.cli.walletio import UserError

TIERS = ("none", "basic", "enhanced", "corporate", "sovereign")  # app.params.TIERS
ROLES = ("trader", "verifier", "oracle", "sovereign", "validator")  # app.params.ROLES
KINDS = ("shipping", "customs", "quality")  # app.modules.catalogue.KINDS
# Params given in PT (FT for the conversion cap), like every amount the wallet takes.
PT_PARAMS = ("base_fee", "fee_per_byte", "power_reduction", "min_self_bond")
FT_PARAMS = ("ft_conversion_cap",)


def add_options(p: argparse.ArgumentParser) -> None:
    """The options of ``council propose set-commodity``."""
    p.add_argument("--name", help="set-commodity: the commodity's name")
    p.add_argument("--unit", help="set-commodity: its unit, e.g. t, bbl, MMBtu")
    p.add_argument("--decimals", type=int, help="set-commodity: decimals of a quantity (0-6)")
    p.add_argument("--ft-rate-bps", type=int,
                   help="set-commodity: FT issued per 10,000 PT settled (200 = 2%%)")
    p.add_argument("--requirements", metavar="KIND=QUORUM,...",
                   help=f"set-commodity: verification kinds ({', '.join(KINDS)}) and quorums, "
                        "e.g. shipping=1,quality=1")
    p.add_argument("--active", choices=["yes", "no"],
                   help="set-commodity: no withdraws it from new purchases and prices")


def commodity(args: argparse.Namespace, code: str, current: dict[str, Any] | None) -> Any:
    """The ``set_commodity`` action: ``current`` (or a new entry) with the options given."""
    # imported here: protobuf costs every other fictra command start-up
    from app.genesis import GenesisError, commodity_from_json
    from app.tx import builder as tb

    doc: dict[str, Any] = dict(current or {"code": code})
    doc.pop("height", None)
    for opt, field in (("name", "name"), ("unit", "unit"), ("decimals", "decimals"),
                       ("ft_rate_bps", "ft_rate_bps")):
        if getattr(args, opt) is not None:
            doc[field] = getattr(args, opt)
    if args.requirements is not None:
        doc["requirements"] = _pairs(args.requirements, "--requirements")
    if args.active is not None:
        doc["active"] = args.active == "yes"
    missing = [f"--{f.replace('_', '-')}" for f in ("name", "unit", "decimals", "ft_rate_bps",
                                                   "requirements") if f not in doc]
    if missing:
        raise UserError(f"{code} is not in the catalogue: a new commodity needs "
                        f"{', '.join(missing)}")
    try:
        return tb.set_commodity(commodity_from_json(doc))
    except GenesisError as e:
        raise UserError(f"set-commodity {code}: {e.path.split('.', 1)[-1]}: {e.problem}"
                        ) from None


def params(changes: list[str], current: dict[str, Any]) -> Any:
    """The ``update_params`` action: the current params with ``KEY=VALUE`` changes."""
    # imported here: protobuf costs every other fictra command start-up
    from app.genesis import GenesisError, params_from_json
    from app.params import parse_amount
    from app.tx import builder as tb

    if not changes:
        raise UserError("update-params takes KEY=VALUE changes, e.g. base_fee=0.002 "
                        f"(keys: {', '.join(sorted(current))})")
    doc = {k: v for k, v in current.items() if k != "height"}
    for item in changes:
        key, sep, value = item.partition("=")
        name, _, tier = key.partition(".")
        if not sep or (name not in doc) or (bool(tier) != (name == "tier_limits")):
            raise UserError(f"{item!r}: use KEY=VALUE with KEY one of {', '.join(sorted(doc))}"
                            f" (tier limits: tier_limits.TIER, TIER one of {', '.join(TIERS)})")
        try:
            if name == "tier_limits":
                if tier not in TIERS:
                    raise UserError(f"{key}: TIER must be one of {', '.join(TIERS)}")
                doc[name] = {**doc[name], tier: str(parse_amount(value.removesuffix("PT")))}
            elif name == "blocked_jurisdictions":
                doc[name] = [c.strip().upper() for c in value.split(",") if c.strip()]
            elif name in PT_PARAMS:
                doc[name] = str(parse_amount(value.removesuffix("PT")))
            elif name in FT_PARAMS:
                doc[name] = str(parse_amount(value.removesuffix("FT")))
            else:
                doc[name] = int(value)
        except ValueError as e:
            raise UserError(f"{item!r}: {e}") from None
    try:
        return tb.update_params(params_from_json(doc))
    except GenesisError as e:
        raise UserError(f"update-params: {e.path.split('.', 1)[-1]}: {e.problem}") from None


def params_text(p: dict[str, Any]) -> str:
    """The chain params for people: amounts in PT and FT."""
    lines = [f"params at height {p.get('height', '?')}:"]
    for k, v in p.items():
        if k == "height":
            continue
        if k in PT_PARAMS:
            v = units.pt(v)
        elif k in FT_PARAMS:
            v = units.ft(v)
        elif k == "tier_limits":
            v = ", ".join(f"{t} {units.pt(a)}" for t, a in v.items())
        elif k == "blocked_jurisdictions":
            v = ", ".join(v) or "none"
        lines.append(f"  {k:<28} {v}")
    return "\n".join(lines)


def _pairs(text: str, what: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in (x.strip() for x in text.split(",") if x.strip()):
        kind, sep, quorum = part.partition("=")
        if not sep or kind not in KINDS or not quorum.isdigit():
            raise UserError(f"{what}: {part!r}: use KIND=QUORUM, KIND one of {', '.join(KINDS)}")
        out[kind] = int(quorum)
    return out

"""Amounts for people: PT, FT and a commodity's unit instead of integer base units.

The chain speaks base units (6 decimals for PT and FT, a commodity's own decimals for its
quantities) in events, logs and JSON; ``--json`` keeps them. The text output goes through
these helpers: event attributes known to be amounts, and the app's log texts that quote
amounts (matched by their wording, so the state machine's logs stay as recorded).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

DECIMALS = 6  # PT and FT (app.params.DECIMALS; not imported: protobuf costs start-up)

# (event type, attribute) -> the unit of its integer value
EVENT_AMOUNTS: dict[tuple[str, str], str] = {
    ("transfer", "amount"): "PT", ("fee", "amount"): "PT",
    ("supply", "amount"): "PT", ("supply", "total"): "PT",
    ("purchase", "value"): "PT", ("price", "price"): "PT",
    ("reserve", "amount"): "PT", ("reserve", "balance"): "PT",
    ("ft_issued", "amount"): "FT", ("ft_converted", "amount"): "FT",
    ("ft_converted", "pt_amount"): "PT",
    ("stake", "amount"): "PT", ("stake", "initial"): "PT", ("slash", "amount"): "PT",
    ("reward", "amount"): "PT", ("reward", "fees"): "PT", ("reward", "validators"): "PT",
    ("reward", "secondaries"): "PT",
}


def decimal(base_units: int | str, decimals: int = DECIMALS) -> str:
    """12_500_000 -> "12.5" (6 decimals); no trailing zeros."""
    whole, frac = divmod(int(base_units), 10**decimals)
    if not frac:
        return str(whole)
    return f"{whole}.{frac:0{decimals}d}".rstrip("0")


def pt(base_units: int | str) -> str:
    return f"{decimal(base_units)} PT"


def ft(base_units: int | str) -> str:
    return f"{decimal(base_units)} FT"


def quantity(base_units: int | str, commodity: dict[str, Any] | None) -> str:
    """A purchase's quantity in its commodity's unit, e.g. "10 t" (base units if unknown)."""
    if commodity is None:
        return f"{base_units} base units"
    return f"{decimal(base_units, int(commodity['decimals']))} {commodity['unit']}"


def event_text(e: dict[str, Any]) -> str:
    """One event as ``type: key=value, ...`` with its amounts in PT or FT."""
    attrs = []
    for k, v in e["attributes"].items():
        unit = EVENT_AMOUNTS.get((e["type"], k))
        if unit is not None and str(v).isdigit():
            v = f"{decimal(v)} {unit}"
        elif k == "result":
            v = readable_log(str(v))
        attrs.append(f"{k}={v}")
    return f"{e['type']}: {', '.join(attrs)}"


def _amounts(*units: str) -> Callable[[re.Match[str]], str]:
    """A replacement writing the match's digit groups in ``units`` (PT, FT, or "" as is)."""
    def sub(m: re.Match[str]) -> str:
        text, last, parts = m.group(0), 0, []
        for i, unit in enumerate(units, start=1):
            start, end = m.span(i)
            start, end = start - m.start(), end - m.start()
            parts.append(text[last:start])
            parts.append(f"{decimal(m.group(i))} {unit}" if unit else m.group(i))
            last = end
        parts.append(text[last:])
        return "".join(parts)
    return sub


_N = r"(\d+)"
# The app's log texts that quote amounts (app/modules, app/tx/ante.py), by their wording.
_LOGS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(rf"FT balance {_N} < amount {_N}"), _amounts("FT", "FT")),
    (re.compile(rf"(?<!FT )balance {_N} < amount {_N}"), _amounts("PT", "PT")),
    (re.compile(rf"balance {_N} < purchase value {_N}"), _amounts("PT", "PT")),
    (re.compile(rf"balance {_N} cannot pay fee {_N}"), _amounts("PT", "PT")),
    (re.compile(rf"fee {_N} below the minimum {_N}"), _amounts("PT", "PT")),
    (re.compile(rf"tier allows at most {_N} per transfer, got {_N}"), _amounts("PT", "PT")),
    (re.compile(rf"tier allows at most {_N} per transfer, purchase value {_N}"),
     _amounts("PT", "PT")),
    (re.compile(rf"treasury holds {_N}, (burn|fund_reserve) {_N}"), _amounts("PT", "", "PT")),
    (re.compile(rf"reserve holds {_N} PT, conversion needs {_N}"),
     lambda m: f"reserve holds {pt(m.group(1))}, conversion needs {pt(m.group(2))}"),
    (re.compile(rf"multi_send outputs sum to {_N}, input is {_N}"), _amounts("PT", "PT")),
    (re.compile(rf"purchase value {_N} exceeds"), _amounts("PT")),
    (re.compile(rf"{_N} FT converts to 0 PT"), lambda m: f"{ft(m.group(1))} converts to 0 PT"),
    (re.compile(rf"{_N} FT converted in the last (\d+) blocks; cap {_N}, asked {_N}"),
     lambda m: f"{ft(m.group(1))} converted in the last {m.group(2)} blocks; cap "
               f"{ft(m.group(3))}, asked {ft(m.group(4))}"),
    (re.compile(rf"the delegation is worth {_N}, not {_N}"), _amounts("PT", "PT")),
    (re.compile(rf"self-bond (?:worth )?{_N},? below min_self_bond {_N}"), _amounts("PT", "PT")),
    (re.compile(rf"{_N} (buys no share|is worth less than one base unit)"), _amounts("PT", "")),
    (re.compile(rf"{_N} x {_N} / 10\^(\d+) is 0 PT"),
     lambda m: f"{decimal(m.group(1), int(m.group(3)))} units x {pt(m.group(2))} per unit "
               "is 0 PT"),
]


def readable_log(log: str) -> str:
    """An app log with the amounts it quotes in PT or FT."""
    for pattern, sub in _LOGS:
        log = pattern.sub(sub, log)
    return log

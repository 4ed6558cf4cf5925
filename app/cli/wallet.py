"""``fictra wallet ...``: keys, balances, transfers (being written)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("wallet", help="keys, balances and transfers through a gateway")

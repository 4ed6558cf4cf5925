# PYTHON_ARGCOMPLETE_OK
"""The ``fictra`` command line: one module per command group, each with ``register``.

Shell completion: argcomplete (``eval "$(register-python-argcomplete fictra)"``); it runs
this parser when the shell sets ``_ARGCOMPLETE``, and costs nothing otherwise."""

from __future__ import annotations

import argparse
import os
import sys

from app.cli import bench, gateway, genesis, indexer, localnet, node, wallet


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fictra", description="FICTRA validator node")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (node, genesis, localnet, bench, gateway, indexer, wallet):
        group.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    if "_ARGCOMPLETE" in os.environ:  # a shell asking for completions (README: completion)
        import argcomplete

        argcomplete.autocomplete(parser)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""Log output of the long-running processes (node, gateway, indexer): ``plain`` lines for
people (the default) or ``json``, one JSON object per line for log collectors.

A JSON line has CometBFT's own keys (``ts``, ``level``, ``module``, ``_msg``), so a node's
log, where the app and its cometbft child write one after the other, reads as one stream
when cometbft runs with ``log_format = "json"`` too (``cometbft_env``). A traceback goes in
``exc`` of the same object, never on lines of its own.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("plain", "json")
PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# CometBFT's log levels are debug, info, warn (unused) and error.
_LEVELS = {"WARNING": "warn", "CRITICAL": "error"}


def add_argument(parser: argparse.ArgumentParser) -> None:
    """``--log-format plain|json`` on a command that runs a process."""
    parser.add_argument("--log-format", choices=FORMATS, default="plain",
                        help="plain lines (default) or one JSON object per line")


def json_line(level: str, module: str, msg: str, **fields: Any) -> str:
    """One log line as CometBFT writes it in JSON: ``level`` is debug, info, warn or error."""
    doc = {"ts": datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
           "level": level, "module": module, "_msg": msg}
    doc.update(fields)
    return json.dumps(doc, default=str)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        level = _LEVELS.get(record.levelname, record.levelname.lower())
        fields: dict[str, Any] = {}
        if record.levelno >= logging.CRITICAL:
            fields["critical"] = True
        if record.exc_info:
            fields["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            fields["exc"] = record.exc_text
        if record.stack_info:
            fields["stack"] = self.formatStack(record.stack_info)
        return json_line(level, record.name, record.getMessage(), **fields)


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``setup`` installs (another setup replaces it, and only it)."""


def setup(level: str = "INFO", fmt: str = "plain", stream: TextIO | None = None) -> None:
    """Send every logger's records (warnings included) to ``stream`` (stderr) in ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    handler = _Handler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(PLAIN))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:  # a second setup
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.captureWarnings(True)


def announce(fmt: str, module: str, msg: str) -> None:
    """A line a person waits for on stdout (``gateway listening on ...``), as a JSON object
    in ``json`` format."""
    print(json_line("info", module, msg) if fmt == "json" else msg, flush=True)


def cometbft_env(fmt: str) -> dict[str, str]:
    """The environment that makes a cometbft child log in ``fmt`` (overriding config.toml's
    ``log_format``), so one switch sets both halves of a node's log."""
    return {"CMT_LOG_FORMAT": fmt}

"""One progress line on stderr for long-running commands (benchmarks).

On a terminal the line is rewritten in place; otherwise each new text is its own line, and a
text equal to the previous one is not repeated.
"""

from __future__ import annotations

import sys

_last = [""]


def progress(text: str) -> None:
    if text == _last[0]:
        return
    _last[0] = text
    tty = sys.stderr.isatty()
    sys.stderr.write(("\r\033[K" if tty else "") + text + ("" if tty else "\n"))
    sys.stderr.flush()

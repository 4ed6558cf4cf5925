"""Log formats of the long-running processes: a JSON record is one line with CometBFT's keys,
its traceback inside it; plain stays the people's format."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from app.node import logs


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
    root.setLevel(level)


def test_json_records_are_one_line_each_with_the_traceback_inside(restore_root: None) -> None:
    out = io.StringIO()
    logs.setup("INFO", "json", out)
    logs.setup("INFO", "json", out)  # a second setup replaces the first: no line twice
    log = logging.getLogger("fictra.test")
    log.debug("not at INFO")
    log.warning("disk %d%% full", 91)
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        log.exception("it failed")
    log.critical("halting")
    lines = out.getvalue().splitlines()
    docs = [json.loads(line) for line in lines]
    assert [d["_msg"] for d in docs] == ["disk 91% full", "it failed", "halting"]
    assert [d["level"] for d in docs] == ["warn", "error", "error"]
    assert all(d["module"] == "fictra.test" and d["ts"].endswith("Z") for d in docs)
    assert "ValueError: bad\nvalue" in docs[1]["exc"] and "Traceback" in docs[1]["exc"]
    assert docs[2]["critical"] is True and "critical" not in docs[1]


def test_plain_is_the_default_and_announce_follows_the_format(
        restore_root: None, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    logs.setup("INFO", stream=out)
    logging.getLogger("fictra.test").info("hello")
    assert out.getvalue().rstrip().endswith(" INFO fictra.test: hello")
    assert not out.getvalue().startswith("{")
    logs.announce("plain", "fictra.gateway", "gateway listening on X")
    logs.announce("json", "fictra.gateway", "gateway listening on X")
    plain, as_json = capsys.readouterr().out.splitlines()
    assert plain == "gateway listening on X"
    assert json.loads(as_json)["_msg"] == "gateway listening on X"
    with pytest.raises(ValueError, match="plain, json"):
        logs.setup("INFO", "xml")
    assert logs.cometbft_env("json") == {"CMT_LOG_FORMAT": "json"}

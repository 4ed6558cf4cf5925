"""The README's walkthrough is what a user sees: every ``$`` command of its console blocks runs,
in order, in a fresh directory (its own ``.localnet``, ``HOME`` and keyring) against a real
4-validator localnet, and what it prints must match the README line by line.

Addresses, hashes, numbers, paths and times differ on every chain, so they match any value of
their kind; everything else (words, units, punctuation, the number of lines) must be the same.
A hash or purchase id the README's commands reuse from an earlier output (``wallet tx
9D1B126D9B8A``) is replaced by the one this chain printed, and so are the heights and
proposal ids of ``wallet block N`` and ``council vote/show N``. Two things depend on timing, as
they do for a user: a ``warning:`` line of ``price submit`` may or may not be printed, and
``price show`` right after the submissions can find the round still open; then it is run
again once a round has closed, as a user would. Commands run on a pseudo-terminal, so a
progress line rewritten in place shows its last text only, as it does for a user.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shlex
import subprocess
import time
from pathlib import Path

import pytest

from tests.localnets import ROOT, WALLET_ENV, Procs, base_port_with_gateway

pytestmark = pytest.mark.integration

README = ROOT / "README.md"
COMMAND_TIMEOUT_S = 600.0  # a hang guard: `localnet up` of 4 validators on a busy machine

# Tokens that differ on every run, most specific first: (name, pattern in the README, pattern
# the output must match).
_TOKENS: list[tuple[str, str, str]] = [
    ("time", r"\d{4}-\d\d-\d\dT[\d:.]+Z", r"\d{4}-\d\d-\d\dT[\d:.]+Z"),
    ("path", r"(?<![\w/])/[^\s)`,]+", r"/[^\s)`,]+"),
    ("address", r"fic1[0-9a-z]{20,}", r"fic1[0-9a-z]{20,}"),
    ("hex", r"\b[0-9A-Fa-f]{8,}\b", r"[0-9A-Fa-f]{8,}"),
    ("number", r"\d[\d,]*(?:\.\d+)?", r"\d[\d,]*(?:\.\d+)?"),
]
_TOKEN_RE = re.compile("|".join(f"(?P<{n}>{p})" for n, p, _ in _TOKENS))
_OUT = {n: o for n, _, o in _TOKENS}
# Numbers a later command names: the block or proposal they were printed with.
_NAMED = re.compile(r"\b(block|height|proposal) (\d+)")


def walkthrough() -> list[tuple[str, list[str]]]:
    """The ``$`` commands of the README's walkthrough, each with the lines it shows."""
    text = README.read_text()
    section = text.split("### Walkthrough", 1)[1].split("\n### ", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", section, re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
    return steps


def documented_warnings() -> list[str]:
    """The ``warning:`` lines the walkthrough shows in its ``text`` blocks: what a command may
    print besides what its console block shows."""
    section = README.read_text().split("### Walkthrough", 1)[1].split("\n### ", 1)[0]
    return [line for block in re.findall(r"```text\n(.*?)```", section, re.S)
            for line in block.splitlines() if line.startswith("warning:")]


def line_pattern(expected: str) -> tuple[re.Pattern[str], list[tuple[str, str]]]:
    """A regex for one README line (variable tokens as groups, runs of spaces as ``\\s+``)
    and the tokens, in order."""
    parts: list[str] = []
    tokens: list[tuple[str, str]] = []
    pos = 0
    for m in _TOKEN_RE.finditer(expected):
        parts.append(_literal(expected[pos : m.start()]))
        kind = m.lastgroup or "number"
        parts.append(f"({_OUT[kind]})")
        tokens.append((kind, m.group()))
        pos = m.end()
    parts.append(_literal(expected[pos:]))
    return re.compile("".join(parts)), tokens


def _literal(text: str) -> str:
    return r"\s+".join(re.escape(w) for w in re.split(r"\s+", text)) if text.strip() \
        else (r"\s+" if text else "")


class Run:
    """Runs the steps like a user's shell: one environment, one working directory."""

    def __init__(self, cwd: Path, base_port: int) -> None:
        self.cwd = cwd
        self.base_port = base_port
        self.env = {k: v for k, v in os.environ.items() if k not in WALLET_ENV}
        self.env.update(HOME=str(cwd / "home"),
                        PATH=f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}")
        self.hashes: dict[str, str] = {}  # README hash or id -> this chain's
        self.named: dict[tuple[str, str], str] = {}  # ("block", README's N) -> this chain's

    def command(self, readme_cmd: str) -> str:
        """The command as this chain needs it: ports of its own, earlier ids replaced."""
        cmd = readme_cmd.split("  #", 1)[0].strip()
        if cmd.startswith("fictra localnet up"):
            cmd += f" --base-port {self.base_port} --gateway-port {self.base_port + 9}"

        def hexes(m: re.Match[str]) -> str:
            token = m.group()
            for readme, ours in self.hashes.items():
                if readme.startswith(token):
                    return ours[: len(token)]
            return token

        cmd = re.sub(r"\b[0-9A-Fa-f]{12,}\b", hexes, cmd)
        cmd = re.sub(r"^(fictra wallet block )(\d+)$",
                     lambda m: m.group(1) + self.named.get(("block", m.group(2)), m.group(2)),
                     cmd)
        return re.sub(r"^(fictra wallet council (?:show|vote --from \S+) )(\d+)",
                      lambda m: m.group(1) + self.named.get(("proposal", m.group(2)),
                                                            m.group(2)), cmd)

    def run(self, cmd: str) -> tuple[int, list[str]]:
        if cmd.startswith("export "):
            name, _, value = cmd[len("export "):].split("#", 1)[0].strip().partition("=")
            self.env[name] = shlex.split(value)[0]
            return 0, []
        return on_terminal(cmd, self.cwd, self.env)

    def match(self, cmd: str, expected: list[str], got: list[str], warnings: list[str]
              ) -> None:
        """``got`` matches ``expected`` line by line, apart from ``warning:`` lines, which
        may come or not but must read like one of ``warnings`` (the README's); the hashes and
        named numbers are remembered for later commands."""
        for g in (g for g in got if g.startswith("warning:")):
            assert any(line_pattern(_singular(w))[0].fullmatch(_singular(g)) for w in warnings), \
                _diff(cmd, expected, got, "(a warning)", g)
        want = [_singular(e) for e in expected if not e.startswith("warning:")]
        got = [_singular(g) for g in got if not g.startswith("warning:")]
        assert len(got) == len(want), _diff(cmd, want, got)
        for e, g in zip(want, got, strict=True):
            pattern, tokens = line_pattern(e)
            m = pattern.fullmatch(g.strip()) or pattern.fullmatch(g)
            assert m, _diff(cmd, want, got, e, g)
            for (kind, readme), ours in zip(tokens, m.groups(), strict=True):
                if kind == "hex":
                    self.hashes.setdefault(readme, ours)
            for ne, ng in zip(_NAMED.finditer(e), _NAMED.finditer(g), strict=False):
                if ne.group(1) == ng.group(1):
                    self.named[(ne.group(1), ne.group(2))] = ng.group(2)


def on_terminal(cmd: str, cwd: Path, env: dict[str, str]) -> tuple[int, list[str]]:
    """Run ``cmd`` with its output on a pseudo-terminal, as a user's shell does, and return
    the lines the terminal shows: stdout and stderr interleaved, a progress line rewritten
    in place (``\\r``) showing only its last text."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(["bash", "-c", cmd], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=slave)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + COMMAND_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: every writer has closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break  # exited, and nothing left to read
        rc = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    text = b"".join(chunks).decode(errors="replace").replace("\r\n", "\n")
    lines = [_ANSI.sub("", line.rsplit("\r", 1)[-1]) for line in text.split("\n")]
    return rc, lines[:-1] if lines and not lines[-1] else lines


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _singular(line: str) -> str:
    """``1 block`` and ``3 blocks`` read alike: how many differs from run to run."""
    return re.sub(r"\b(block|tx)s\b", r"\1", line)


def _diff(cmd: str, want: list[str], got: list[str], e: str = "", g: str = "") -> str:
    head = f"`{cmd}`: line\n  README: {e}\n  output: {g}\n" if e else f"`{cmd}`:\n"
    return (head + "README shows:\n  " + "\n  ".join(want) + "\nthe command printed:\n  "
            + "\n  ".join(got))


def test_the_walkthrough_documents_the_late_price_warning() -> None:
    late = [w for w in documented_warnings() if "closed before the submission arrived" in w]
    assert late and line_pattern(late[0])[0].fullmatch(
        "warning: round 14 closed before the submission arrived (refused, no fee paid); "
        "submitting for round 15, which closes with block 79, 5 blocks (about 10 s) from now")


def test_line_pattern_matches_other_values_not_other_words() -> None:
    p, tokens = line_pattern("sent 250 PT to alice: tx DC73AA4B8E1B in block 5 (fee 0.00238 PT)")
    assert p.fullmatch("sent 250 PT to alice: tx 0123456789AB in block 12 (fee 0.0024 PT)")
    assert not p.fullmatch("sent 250 FT to alice: tx 0123456789AB in block 12 (fee 0.0024 PT)")
    assert [k for k, _ in tokens] == ["number", "hex", "number", "number"]
    p, _ = line_pattern("node0     14393    14414  http://127.0.0.1:26657        1  63761FD84F4F")
    assert p.fullmatch("node0  7  8  http://127.0.0.1:30001  12  0123456789AB")


def test_the_readme_walkthrough_is_what_a_user_sees(tmp_path: Path, procs: Procs) -> None:
    cwd = tmp_path / "checkout"
    (cwd / "home").mkdir(parents=True)
    (cwd / "bill-of-lading.pdf").write_bytes(b"%PDF-1.4 a bill of lading\n")
    procs.localnet(cwd / ".localnet")
    run = Run(cwd, base_port_with_gateway(4))
    steps = walkthrough()
    assert len(steps) > 20 and steps[0][0].startswith("fictra localnet up")
    warnings = [e for _, expected in steps for e in expected if e.startswith("warning:")]
    warnings += documented_warnings()
    for readme_cmd, expected in steps:
        cmd = run.command(readme_cmd)
        rc, got = run.run(cmd)
        if cmd.startswith("fictra wallet price show"):
            rc, got = _price_published(run, cmd, rc, got)
        assert (rc != 0) == any(e.startswith("error:") for e in expected), (rc, got)
        run.match(cmd, expected, got, warnings)


def _price_published(run: Run, cmd: str, rc: int, got: list[str]) -> tuple[int, list[str]]:
    """Run ``price show`` again while the round that holds the submissions is still open."""
    deadline = time.monotonic() + 120.0  # a hang guard: a round is 5 blocks
    while rc == 0 and got and got[0].endswith("no current price") \
            and time.monotonic() < deadline:
        time.sleep(2.0)
        rc, got = run.run(cmd)
    return rc, got

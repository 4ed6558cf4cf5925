"""Every validator runs the same build: the libraries that can change a consensus result are
pinned exactly in pyproject.toml, every installed package is the version the lock file
(scripts/constraints.txt, which `make install` passes to pip) names."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONSENSUS_CRITICAL = {"protobuf", "pynacl", "plyvel"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock() -> dict[str, str]:
    out = {}
    for line in (ROOT / "scripts" / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            out[_norm(name)] = version.strip()
    return out


def test_consensus_libraries_are_pinned_exactly_and_match_the_lock() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {_norm(d.split("==")[0]): d.split("==")[1] for d in deps if "==" in d}
    lock = _lock()
    assert set(pins) >= CONSENSUS_CRITICAL
    for name in CONSENSUS_CRITICAL:
        assert pins[name] == lock[name], name


def test_installed_packages_are_the_locked_versions() -> None:
    lock = _lock()
    wrong = {}
    for dist in importlib.metadata.distributions():
        name = _norm(dist.metadata["Name"])
        if name in lock and dist.version != lock[name]:
            wrong[name] = (dist.version, lock[name])
    assert not wrong, f"installed (version, locked): {wrong}"

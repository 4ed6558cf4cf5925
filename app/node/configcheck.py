"""``fictra node config check``: a node home's config.toml, app.toml and genesis checked
before the node starts, each problem naming its file and key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from app.node.config import (
    STATE_KEYS,
    halt_height,
    metrics_listen,
    signature_workers,
    statesync_fallback_s,
)
from app.node.supervisor import check_genesis

# config.toml keys the product sets (genesis/network.py) or relies on: (table, key, check).
_POSITIVE = ("mempool", "size"), ("mempool", "max_txs_bytes"), ("mempool", "cache_size")
_DURATIONS = (("consensus", "timeout_commit"), ("consensus", "timeout_propose"),
              ("p2p", "flush_throttle_timeout"))
_DURATION = re.compile(r"^\d+(\.\d+)?(ns|us|µs|ms|s|m|h)$")  # Go's time.ParseDuration units
_STATE_BOUNDS = {"keep_recent": 1, "cache_mb": 1, "snapshot_interval": 0,
                 "snapshot_keep_recent": 1}


def _table(doc: dict[str, Any], name: str, where: str, problems: list[str]) -> dict[str, Any]:
    t = doc.get(name)
    if not isinstance(t, dict):
        problems.append(f"{where}: [{name}] is missing")
        return {}
    return t


def check_config_toml(home: Path) -> list[str]:
    path = home / "config" / "config.toml"
    where = str(path)
    try:
        doc = tomllib.loads(path.read_text())
    except FileNotFoundError:
        return [f"{where}: missing (run `fictra node init --home {home}`)"]
    except (OSError, tomllib.TOMLDecodeError) as e:
        return [f"{where}: not valid TOML: {e}"]
    problems: list[str] = []
    want = f"unix://{home.resolve()}/abci.sock"
    if doc.get("proxy_app") != want:
        problems.append(f"{where}: proxy_app is {doc.get('proxy_app')!r}; the node's app "
                        f"listens on {want!r}")
    if doc.get("abci", "socket") != "socket":
        problems.append(f"{where}: abci must be \"socket\" (the app speaks the socket protocol)")
    for table, key in _POSITIVE:
        v = _table(doc, table, where, problems).get(key)
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            problems.append(f"{where}: {table}.{key} must be a positive integer, got {v!r}")
    for table, key in _DURATIONS:
        v = _table(doc, table, where, problems).get(key)
        if not isinstance(v, str) or not _DURATION.match(v):
            problems.append(f"{where}: {table}.{key} must be a duration like \"1s\" or "
                            f"\"10ms\", got {v!r}")
    if _table(doc, "mempool", where, problems).get("recheck") is False:
        problems.append(f"{where}: mempool.recheck must stay true (the check state restarts "
                        "at every Commit; without recheck a sender's next tx is refused)")
    indexer = _table(doc, "tx_index", where, problems).get("indexer")
    if indexer not in ("kv", "null", "psql"):
        problems.append(f"{where}: tx_index.indexer must be kv, null or psql, got {indexer!r}")
    instr = doc.get("instrumentation")
    if isinstance(instr, dict) and instr.get("prometheus") is True:
        problems += _check_prometheus_addr(home, where, instr.get("prometheus_listen_addr"))
    return problems


def _check_prometheus_addr(home: Path, where: str, addr: Any) -> list[str]:
    port = addr.rpartition(":")[2] if isinstance(addr, str) and ":" in addr else ""
    if not port.isdigit() or not 0 < int(port) < 65536:
        return [f"{where}: instrumentation.prometheus_listen_addr must be \"HOST:PORT\" or "
                f"\":PORT\", got {addr!r}"]
    try:
        app = metrics_listen(home)
    except ValueError:
        return []  # reported with app.toml
    if app is not None and app[1] == int(port):
        return [f"{where}: instrumentation.prometheus_listen_addr {addr!r} takes the port of "
                f"the app's metrics ([metrics] listen in app.toml); give each its own"]
    return []


def check_app_toml(home: Path) -> list[str]:
    path = home / "config" / "app.toml"
    if not path.exists():
        return []  # every key has its default
    where = str(path)
    try:
        doc = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        return [f"{where}: not valid TOML: {e}"]
    problems = [f"{where}: unknown table [{t}]"
                for t in sorted(set(doc) - {"state", "node", "metrics"})]
    state = doc.get("state", {})
    problems += [f"{where}: unknown key state.{k}" for k in sorted(set(state) - STATE_KEYS)]
    for key, lo in _STATE_BOUNDS.items():
        v = state.get(key, lo)
        if not isinstance(v, int) or isinstance(v, bool) or v < lo:
            problems.append(f"{where}: state.{key} must be an integer >= {lo}, got {v!r}")
    if not isinstance(state.get("archive", False), bool):
        problems.append(f"{where}: state.archive must be true or false")
    for read in (halt_height, statesync_fallback_s, signature_workers):
        try:
            read(home)
        except ValueError as e:
            problems.append(str(e))
            break
    try:
        metrics_listen(home)
    except ValueError as e:
        problems.append(str(e))
    return problems


def check_home(home: Path) -> list[str]:
    """Every problem found, each one line naming its file and key; empty when all is well."""
    home = Path(home)
    problems = check_config_toml(home) + check_app_toml(home)
    genesis = check_genesis(home / "config" / "genesis.json")
    if genesis:
        problems.append(genesis)
    return problems

"""One real validator: blocks, clean stop, and supervision of the cometbft child."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from app.modules import SHARDS
from genesis.network import NodeInfo, init_single
from rpc.keystore import Keyring, is_encrypted
from tests.localnets import Procs, fictra, free_base_port, height, scrape, wait_until

pytestmark = pytest.mark.integration


def _no_keys(name: str, key: object) -> None:
    """These tests need no key of the chain they start."""


def _new_node(node_home: Path) -> NodeInfo:
    """A one-validator home with a free port range (keys of the chain: none kept)."""
    return init_single(node_home, "fictra-single", base_port=free_base_port(1),
                       write_key=_no_keys)


def _running(node_home: Path, procs: Procs) -> tuple[NodeInfo, subprocess.Popen, dict]:
    """A new node started and past its first block, with its pids (app, cometbft)."""
    node = _new_node(node_home)
    proc = _start(procs, node_home)
    wait_until(lambda: height(node.rpc_url) >= 1, "first block")
    return node, proc, json.loads((node_home / "node.pids.json").read_text())


def _start(procs: Procs, home: Path) -> subprocess.Popen:
    """Start ``fictra node start``; it and its cometbft are stopped when the test ends,
    whatever happens."""
    procs.node(home)
    return procs.fictra("node", "start", "--home", str(home))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def test_single_node_produces_blocks_and_stops_cleanly(node_home: Path, procs: Procs) -> None:
    node = _new_node(node_home)
    proc = _start(procs, node_home)
    try:
        wait_until(lambda: height(node.rpc_url) >= 5, "5 blocks")
        pids = json.loads((node_home / "node.pids.json").read_text())
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "node stopped cleanly" in out
    assert not _alive(pids["cometbft"])
    assert not any(line.startswith("{") for line in out.splitlines())  # plain: for people


def test_json_logs_are_one_object_per_line_from_the_app_and_cometbft(
        node_home: Path, procs: Procs) -> None:
    node = _new_node(node_home)
    procs.node(node_home)
    proc = procs.fictra("node", "start", "--home", str(node_home), "--log-format", "json")
    try:
        wait_until(lambda: height(node.rpc_url) >= 3, "3 blocks")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    docs = [json.loads(line) for line in out.splitlines() if line.strip()]  # each one JSON
    assert all({"ts", "level", "module", "_msg"} <= d.keys() for d in docs)
    modules = {d["module"] for d in docs}
    assert {"fictra.node", "fictra.abci"} <= modules  # the app's
    assert {"state", "consensus"} & modules  # its cometbft child's
    assert any(d["_msg"] == "node stopped cleanly" for d in docs)


def test_node_serves_the_apps_and_cometbfts_metrics(node_home: Path, procs: Procs) -> None:
    node = _new_node(node_home)
    _start(procs, node_home)
    app = f"http://127.0.0.1:{node.app_metrics_port}/metrics"
    comet = f"http://127.0.0.1:{node.cometbft_metrics_port}/metrics"

    def committed(url: str, name: str) -> float:
        return max((v for _, v in scrape(url).get(name, [])), default=-1)

    wait_until(lambda: committed(app, "fictra_app_height") >= 3, "app metrics at height 3")
    wait_until(lambda: committed(comet, "cometbft_consensus_height") >= 3, "cometbft metrics")
    samples = scrape(app)
    blocks = samples["fictra_app_blocks_total"][0][1]
    assert blocks >= 3
    assert samples["fictra_app_commit_seconds_count"][0][1] >= blocks
    shards = {labels["shard"] for labels, _ in samples["fictra_app_store_keys"]}
    assert shards == set(SHARDS)
    assert samples["process_resident_memory_bytes"][0][1] > 0


def test_a_taken_metrics_port_stops_the_node_before_cometbft_starts(node_home: Path) -> None:
    node = _new_node(node_home)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", node.app_metrics_port))
        taken.listen()
        proc = fictra("node", "start", "--home", str(node_home), check=False, timeout=120)
    assert proc.returncode == 2
    assert f"cannot serve metrics on 127.0.0.1:{node.app_metrics_port}" in proc.stderr
    assert "app.toml" in proc.stderr
    assert height(node.rpc_url) == -1 and not (node_home / "node.pids.json").exists()


def test_node_exits_loudly_when_cometbft_dies(node_home: Path, procs: Procs) -> None:
    node, proc, pids = _running(node_home, procs)
    os.kill(pids["cometbft"], signal.SIGKILL)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 3
    assert "cometbft exited with status -9; stopping the app" in out


def test_sigkill_of_node_takes_cometbft_down(node_home: Path, procs: Procs) -> None:
    node, proc, pids = _running(node_home, procs)
    proc.kill()
    proc.wait(timeout=30)
    wait_until(lambda: not _alive(pids["cometbft"]), "cometbft to die with its parent", 30)
    # restart on the same home: the app and cometbft agree again and blocks continue
    before = height_after_restart = 0
    proc = _start(procs, node_home)
    try:
        wait_until(lambda: height(node.rpc_url) >= 1, "restart")
        before = height(node.rpc_url)
        wait_until(lambda: height(node.rpc_url) >= before + 2, "blocks after restart")
        height_after_restart = height(node.rpc_url)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    assert height_after_restart >= before + 2


def test_start_without_init_is_a_clear_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "node", "start", "--home", str(tmp_path / "x")],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert "run `fictra node init" in proc.stderr


def test_bad_genesis_is_refused_before_cometbft_starts(node_home: Path) -> None:
    _new_node(node_home)
    path = node_home / "config" / "genesis.json"
    doc = json.loads(path.read_text())
    doc["app_state"]["accounts"][0]["balance"] = "-5"
    path.write_text(json.dumps(doc))
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "node", "start", "--home", str(node_home)],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert "bad genesis" in proc.stderr
    assert "app_state.accounts[0].balance" in proc.stderr
    assert not (node_home / "node.pids.json").exists()  # cometbft never started
    assert not (node_home / "data" / "state").exists()  # and the store was never created


def test_node_init_keeps_its_keys_encrypted_and_cometbft_rpc_closed_to_browsers(
        node_home: Path) -> None:
    env = {"FICTRA_PASSPHRASE": "a node passphrase"}
    out = fictra("node", "init", "--home", str(node_home), "--chain-id", "fictra-single",
                 env=env).stdout
    assert "encrypted" in out
    keys = sorted((node_home / "keys").glob("*.json"))
    assert {"faucet", "council-1", "council-2", "council-3"} <= {p.stem for p in keys}
    for path in keys:  # not one plaintext key, and only we can read them
        assert is_encrypted(json.loads(path.read_text())), path
        assert path.stat().st_mode & 0o077 == 0
    assert (node_home / "keys").stat().st_mode & 0o077 == 0
    genesis = json.loads((node_home / "config" / "genesis.json").read_text())
    faucet = Keyring(node_home / "keys").load("faucet", env["FICTRA_PASSPHRASE"])
    assert faucet.bech32 in {a["address"] for a in genesis["app_state"]["accounts"]}
    config = tomllib.loads((node_home / "config" / "config.toml").read_text())
    assert config["rpc"]["cors_allowed_origins"] == []
    # a passphrase too short for new keys, or none at all, leaves no node behind
    short = fictra("node", "init", "--home", str(node_home.parent / "b"), check=False,
                   env={"FICTRA_PASSPHRASE": "short"})
    assert short.returncode == 2 and "at least 8" in short.stderr
    assert not (node_home.parent / "b" / "config").exists()


def test_halt_height_commits_it_stops_cleanly_and_a_restart_continues(
        node_home: Path, procs: Procs) -> None:
    node = _new_node(node_home)
    procs.node(node_home)
    halting = procs.fictra("node", "start", "--home", str(node_home), "--halt-height", "4")
    out, _ = halting.communicate(timeout=300)
    assert halting.returncode == 0, out
    assert "halt height 4 reached: block 4 is committed" in out
    hashed = json.loads(fictra("node", "apphash", "--home", str(node_home), "--json").stdout)
    assert hashed["height"] == 4  # the store stopped exactly there
    again = procs.fictra("node", "start", "--home", str(node_home), "--halt-height", "4")
    out, _ = again.communicate(timeout=120)
    assert again.returncode == 2 and "halt height 4 already reached" in out
    proc = _start(procs, node_home)  # without it: continues at 5
    try:
        wait_until(lambda: height(node.rpc_url) >= 6, "blocks after the halt height")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    assert proc.returncode == 0


def test_config_check_names_the_file_and_key_of_each_problem(node_home: Path) -> None:
    _new_node(node_home)
    ok = fictra("node", "config", "check", "--home", str(node_home), "--json")
    assert json.loads(ok.stdout) == {"home": str(node_home), "ok": True, "problems": []}
    cfg = node_home / "config" / "config.toml"
    text = cfg.read_text()
    text = text.replace("size = 20000", "size = 0").replace("recheck = true", "recheck = false")
    cfg.write_text(text)
    (node_home / "config" / "app.toml").write_text("[state]\nkeep_recent = 0\ncach_mb = 5\n"
                                                  "[node]\nhalt_height = -1\n")
    bad = fictra("node", "config", "check", "--home", str(node_home), check=False)
    assert bad.returncode == 1
    for what in ("mempool.size must be a positive integer", "mempool.recheck must stay true",
                 "state.keep_recent must be an integer >= 1", "unknown key state.cach_mb",
                 "halt_height must be a non-negative integer"):
        assert what in bad.stderr, (what, bad.stderr)


def test_config_check_refuses_a_bad_metrics_address_and_a_shared_port(node_home: Path) -> None:
    node = _new_node(node_home)
    app_toml = node_home / "config" / "app.toml"
    good = app_toml.read_text()
    assert f'listen = "127.0.0.1:{node.app_metrics_port}"' in good
    app_toml.write_text(good.replace(f"127.0.0.1:{node.app_metrics_port}", "nowhere"))
    bad = fictra("node", "config", "check", "--home", str(node_home), check=False)
    assert bad.returncode == 1
    assert f"{app_toml}: [metrics] listen must be \"HOST:PORT\"" in bad.stderr, bad.stderr
    shared = f"127.0.0.1:{node.cometbft_metrics_port}"
    app_toml.write_text(good.replace(f"127.0.0.1:{node.app_metrics_port}", shared))
    bad = fictra("node", "config", "check", "--home", str(node_home), check=False)
    assert bad.returncode == 1
    assert "instrumentation.prometheus_listen_addr" in bad.stderr
    assert "give each its own" in bad.stderr, bad.stderr
    app_toml.write_text(good.replace(f"127.0.0.1:{node.app_metrics_port}", ""))
    fictra("node", "config", "check", "--home", str(node_home))  # "" switches metrics off

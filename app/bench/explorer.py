"""``fictra bench explorer``: the block explorer in headless Chromium against a running
gateway: first render of the network page, search to a tx's page, and screenshots of the
main pages.

- First render: a cold load (browser cache cleared) of ``/explorer/#/`` per run; from the
  Navigation Timing entry: the HTML's ``responseEnd``, ``domContentLoadedEventEnd``, and
  the page's own marks ``height-shown`` (the chain's height on screen) and ``stats-shown``
  (the analytics: intervals, tx/s, validators, charts).
- Search: a tx hash typed into the search box until the tx's page is drawn (marks
  ``search-start`` to ``page-shown``).

``populate`` puts on a chain what the pages show: transfers (a fresh account with more than
one page of history), a purchase settled by its verifiers and an oracle price. The browser
tests use it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.bench.browser import chromium
from app.crypto import Key, read_key_file
from app.keys import purchase_id
from app.modules.catalogue import KIND_BY_NAME
from app.params import UNIT
from app.tx import builder as tb
from genesis.network import new_network
from rpc.client import GatewayClient
from rpc.wallet import Wallet

WHEAT_PRICE = 250 * UNIT
WAIT_S = 60.0


@dataclass
class Scenario:
    """What ``populate`` put on the chain."""

    alice: Key = field(default_factory=Key.generate)
    transfer: str = ""  # faucet -> alice, 250 PT
    alice_txs: list[str] = field(default_factory=list)  # alice -> faucet, oldest first
    purchase: str = ""
    purchase_tx: str = ""
    buyer: str = ""  # the purchase's buyer (a KYC-registered trader)


async def populate(gateway: str, keys: Path, api_key: str | None = None,
                   history_txs: int = 25, price_rounds: int = 1) -> Scenario:
    """Transfers, a settled WHEAT purchase and ``price_rounds`` published WHEAT prices (the
    last one ``WHEAT_PRICE``), with the localnet's keys in ``keys`` (faucet, trader-ch,
    trader-sg, sovereign-br, verifier-1..2, oracle-1..3)."""
    def key(name: str) -> Key:
        return read_key_file(keys / f"{name}.json")

    s = Scenario()
    async with GatewayClient(gateway, api_key=api_key) as gw:
        w = Wallet(gw)
        faucet = key("faucet")
        r = await w.send_and_wait(faucet, [tb.send(s.alice.address, 250 * UNIT)])
        assert r["code"] == 0, r
        s.transfer = r["hash"]
        s.alice_txs = [await w.submit(s.alice, [tb.send(faucet.address, UNIT // 10 + i)])
                       for i in range(history_txs)]
        for h in s.alice_txs:
            r = await w.wait(h)
            assert r["code"] == 0, r

        buyer, seller, sov = key("trader-ch"), key("trader-sg"), key("sovereign-br")
        s.buyer = buyer.bech32
        now = (await gw.call("fictra_status"))["height"]
        create = tb.create_purchase(seller.address, "WHEAT", 10_000, WHEAT_PRICE, sov.address,
                                    now + 200, now + 400)
        r = await w.send_and_wait(buyer, [create])
        assert r["code"] == 0, r
        s.purchase_tx = r["hash"]
        pid = purchase_id(bytes.fromhex(r["hash"]), 0)
        s.purchase = pid.hex()
        doc = bytes(range(32))
        r = await w.send_and_wait(seller, [tb.confirm_shipment(pid, [doc])])
        assert r["code"] == 0, r
        for verifier, kind in (("verifier-1", "shipping"), ("verifier-2", "quality")):
            r = await w.send_and_wait(key(verifier),
                                      [tb.attest(pid, KIND_BY_NAME[kind], True, doc)])
            assert r["code"] == 0, r
        oracles = [key(f"oracle-{i}") for i in (1, 2, 3)]
        moves = [12, -6, 9, -3, 5][:price_rounds - 1]  # within the oracle's deviation bound
        for move in [*moves, 0]:
            await _publish_price(gw, w, oracles, WHEAT_PRICE + move * UNIT)
    return s


async def _publish_price(gw: GatewayClient, w: Wallet, oracles: list[Key], price: int) -> None:
    """Every oracle submits a WHEAT price for the round of the next block until a round has
    enough of them (a submission that lands in a later round fails: try again); returns once
    that price is published."""
    round_blocks = int((await gw.call("fictra_getParams"))["oracle_round_blocks"])
    before = (await gw.call("fictra_getPrice", "WHEAT") or {}).get("published_height") or 0
    for _ in range(10):
        now = (await gw.call("fictra_status"))["height"]
        rnd = (now + 1) // round_blocks
        hashes = [await w.submit(o, [tb.submit_price("WHEAT", rnd, price)]) for o in oracles]
        if [(await w.wait(h))["code"] for h in hashes].count(0) * 3 >= 2 * len(oracles):
            break
    async with asyncio.timeout(WAIT_S * 2):
        while True:
            p = await gw.call("fictra_getPrice", "WHEAT")
            if p and (p["published_height"] or 0) > before:
                assert p["price"] == str(price), p
                return
            await asyncio.sleep(1.0)


# -- in the browser ------------------------------------------------------------------------------

def _wait(d: Any, script: str, what: str) -> Any:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        value = d.execute_script(script)
        if value:
            return value
        time.sleep(0.02)
    raise TimeoutError(f"the explorer never showed {what}")


_MARK = "const m = performance.getEntriesByName('{0}'); return m.length ? m[0].startTime : null;"


def first_render(d: Any, explorer: str) -> dict[str, float]:
    """One cold load of the network page: milliseconds from the navigation's start."""
    d.get("about:blank")
    d.execute_cdp_cmd("Network.clearBrowserCache", {})
    d.get(explorer + "#/")
    height = _wait(d, _MARK.format("height-shown"), "the height")
    stats = _wait(d, _MARK.format("stats-shown"), "the network statistics")
    nav = d.execute_script("const n = performance.getEntriesByType('navigation')[0];"
                           "return [n.responseEnd, n.domContentLoadedEventEnd];")
    return {"html_ms": nav[0], "dom_ready_ms": nav[1], "height_ms": height, "stats_ms": stats}


def search_ms(d: Any, explorer: str, tx_hash: str) -> float:
    """Milliseconds from submitting a tx hash in the search box to its page drawn."""
    # imported here: selenium is a dev dependency (as in app.bench.browser)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys  # imported here: the same

    d.get(explorer + "#/")
    _wait(d, _MARK.format("page-shown"), "the network page")
    box = d.find_element(By.ID, "search-input")
    box.send_keys(tx_hash, Keys.ENTER)
    _wait(d, "const e = document.getElementById('tx-hash');"
          f"return e && e.textContent === '{tx_hash}' && "
          "performance.getEntriesByName('page-shown').length > 0;", "the tx page")
    return float(d.execute_script(
        "return performance.measure('search', 'search-start', 'page-shown').duration;"))


def screenshots(d: Any, explorer: str, out: Path, s: Scenario) -> list[Path]:
    """PNGs of the main pages, each taken once the page is drawn."""
    out.mkdir(parents=True, exist_ok=True)
    pages = [("network", "#/", "stats-shown"), ("blocks", "#/blocks", "page-shown"),
             ("tx", f"#/tx/{s.transfer}", "page-shown"),
             ("account", f"#/account/{s.buyer}", "page-shown"),
             ("purchase", f"#/purchase/{s.purchase}", "page-shown"),
             ("commodities", "#/commodities", "page-shown"),
             ("sovereigns", "#/sovereigns", "page-shown")]
    files = []
    for name, route, mark in pages:
        d.get("about:blank")
        d.get(explorer + route)
        _wait(d, _MARK.format(mark), f"the {name} page")
        time.sleep(0.3)  # let the last frame paint
        height = d.execute_script("return document.documentElement.scrollHeight")
        d.set_window_size(1280, min(2400, max(800, int(height))))
        path = out / f"{name}.png"
        d.save_screenshot(str(path))
        d.set_window_size(1280, 900)
        files.append(path)
    return files


@contextlib.contextmanager
def fresh_localnet(home: Path, validators: int, base_port: int, keep: bool) -> Iterator[str]:
    """A new localnet started as a user does (``fictra localnet up``: nodes, indexer,
    gateway) with the gateway's rate limits off, so that the browser's calls are never held
    back; its gateway URL. Stopped (and removed unless ``keep``) afterwards."""
    shutil.rmtree(home, ignore_errors=True)
    new_network(home, validators, "fictra-bench-explorer", base_port=base_port)
    (home / "gateway.toml").write_text("[gateway]\nrate_limit = false\n")
    cli = [sys.executable, "-m", "app.cli.main", "localnet"]
    try:
        subprocess.run(cli + ["up", "--home", str(home), "--detach"], check=True,
                       stdout=subprocess.DEVNULL, timeout=300)
        status = json.loads(subprocess.run(cli + ["status", "--home", str(home), "--json"],
                                           check=True, capture_output=True, text=True,
                                           timeout=60).stdout)
        for part in ("indexer", "gateway"):  # the pages need both
            if not (status.get(part) or {}).get("alive"):
                raise RuntimeError(f"the localnet's {part} is not running; see "
                                   f"{home}/{part}.log")
        yield str(status["gateway"]["url"])
    finally:
        subprocess.run(cli + ["down", "--home", str(home)], stdout=subprocess.DEVNULL,
                       check=False, timeout=120)
        if not keep:
            shutil.rmtree(home, ignore_errors=True)


def run(gateway: str, keys: Path, runs: int, shots: Path | None, api_key: str | None,
        price_rounds: int) -> dict[str, Any]:
    t0 = time.monotonic()
    s = asyncio.run(populate(gateway, keys, api_key, price_rounds=price_rounds))
    populate_s = time.monotonic() - t0
    explorer = gateway.rstrip("/") + "/explorer/"
    d = chromium()
    try:
        loads = [first_render(d, explorer) for _ in range(runs)]
        searches = [search_ms(d, explorer, s.alice_txs[-1]) for _ in range(runs)]
        files = screenshots(d, explorer, shots, s) if shots else []
    finally:
        d.quit()

    def summary(values: list[float]) -> dict[str, float]:
        return {"median": round(statistics.median(values), 1), "max": round(max(values), 1)}

    return {"runs": runs, "populate_s": round(populate_s, 1),
            "first_render_ms": {k: summary([x[k] for x in loads]) for k in loads[0]},
            "search_ms": summary(searches), "screenshots": [str(f) for f in files]}


def print_text(r: dict[str, Any]) -> None:
    f = r["first_render_ms"]
    where = f"a fresh {r['validators']}-validator localnet" if "validators" in r else "the gateway"
    print(f"fictra bench explorer on {where} (load average {r['load_avg_1m']})")
    print(f"network page, cold load, {r['runs']} runs (median / max, ms from navigation start):")
    for key, label in (("html_ms", "HTML received"), ("dom_ready_ms", "DOM ready"),
                       ("height_ms", "height shown"), ("stats_ms", "statistics and charts")):
        print(f"  {label:<22} {f[key]['median']:>8.1f} / {f[key]['max']:.1f}")
    print(f"search a tx hash to its page: {r['search_ms']['median']:.1f} / "
          f"{r['search_ms']['max']:.1f} ms")
    for path in r["screenshots"]:
        print(f"screenshot {path}")


def main(args: Any) -> int:
    """``fictra bench explorer``: on the gateway given, or on a fresh localnet."""
    shots = Path(args.screenshots).resolve() if args.screenshots else None
    if args.gateway:
        r = run(args.gateway, Path(args.localnet_home) / "keys", args.runs, shots, args.api_key,
                args.price_rounds)
    else:
        home = Path(args.home or f".bench/explorer-{args.validators}").resolve()
        with fresh_localnet(home, args.validators, args.base_port, args.keep) as gateway:
            r = run(gateway, home / "keys", args.runs, shots, None, args.price_rounds)
        r["validators"] = args.validators
    r["load_avg_1m"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(r))
    else:
        print_text(r)
    return 0

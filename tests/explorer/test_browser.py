"""The block explorer in a real browser (headless Chromium driven by selenium) against the
shared 4-validator localnet with transfers, a settled purchase and a published oracle price:
each page shows what the chain holds, search finds what was searched, and new blocks appear
without a reload."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from app.bench.explorer import WHEAT_PRICE
from app.crypto import module_address, to_bech32
from tests.localnets import gateway_url, wait_until

from .conftest import HISTORY_TXS, Chain

pytestmark = pytest.mark.integration

WAIT_S = 60  # a hang guard for what the page must come to show, not a speed check


def units(base: int | str, decimals: int = 6) -> str:
    """Base units as the explorer writes them (grouped, trailing zeros dropped)."""
    n = int(base)
    whole, frac = divmod(n, 10**decimals)
    text = f"{whole:,}"
    rest = str(frac).rjust(decimals, "0").rstrip("0") if decimals else ""
    return text + ("." + rest if rest else "")


def open_page(d: Any, url: str, route: str) -> None:
    d.get(url + route)
    d.execute_script("window.__explorerTest = 1")  # gone after a reload


def text_of(d: Any, css: str) -> str:
    """The element's text as drawn (read in one script: pages redraw while they follow)."""
    return str(d.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : '';",
        css))


def wait_text(d: Any, css: str, pred: Any = bool, what: str = "") -> str:
    try:
        WebDriverWait(d, WAIT_S).until(lambda _: pred(text_of(d, css)))
    except TimeoutException:
        raise AssertionError(f"{what or css} never showed; {css}: {text_of(d, css)!r}; "
                             f"page: {text_of(d, 'main')!r}; log: {d.get_log('browser')}"
                             ) from None
    return text_of(d, css)


def rows(d: Any, css: str) -> list[list[str]]:
    return list(d.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' tbody tr')]"
        ".map((tr) => [...tr.cells].map((td) => td.innerText.trim()));", css))


def purchase_value(chain: Chain) -> str:
    return str(chain.call("fictra_getPurchase", chain.purchase)["value"])


def not_reloaded(d: Any) -> bool:
    return d.execute_script("return window.__explorerTest === 1") is True


def no_errors(d: Any) -> None:
    assert not d.find_elements(By.CSS_SELECTOR, "p.error"), text_of(d, "p.error")
    severe = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe


# -- serving -----------------------------------------------------------------------------------

def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}),
                                    timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_the_localnet_gateway_serves_the_files(shared_localnet: Any) -> None:
    base = gateway_url(shared_localnet)
    status, headers, body = _get(base + "/explorer/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-cache" and "default-src 'self'" in \
        headers["Content-Security-Policy"]
    assert b'<script type="module" src="js/app.js">' in body
    for path, kind in (("js/app.js", "text/javascript"), ("style.css", "text/css")):
        status, headers, _ = _get(f"{base}/explorer/{path}")
        assert status == 200 and headers["Content-Type"].startswith(kind), path
        again, _, _ = _get(f"{base}/explorer/{path}", {"If-None-Match": headers["Etag"]})
        assert again == 304, path  # kept by the browser, asked again, not sent again
    status, headers, body = _get(base + "/explorer/modules.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {to_bech32(module_address(m)): m
                                for m in ("treasury", "escrow", "reserve")}
    assert _get(base + "/explorer/js/nothing.js")[0] == 404
    assert _get(base + "/explorer/..%2f..%2fserver.py")[0] == 404
    assert _get(base + "/explorer/%2e%2e/__init__.py")[0] == 404
    assert _get(base + "/explorer/js/")[0] == 404


# -- pages -------------------------------------------------------------------------------------

def test_network_page_shows_the_chain_and_follows_new_blocks(browser: Any, explorer: str,
                                                               chain: Chain) -> None:
    d = browser
    open_page(d, explorer, "#/")
    height = int(wait_text(d, "#height", lambda t: t.replace(",", "").isdigit()).replace(",", ""))
    assert height >= chain.call("fictra_status")["height"] - 1
    stats = chain.call("fictra_getNetworkStats", 100)
    wait_text(d, "#validators", lambda t: "power" in t)
    got = {r[0]: r[1] for r in rows(d, "#validators")}
    assert got == {v["address"]: f"{int(v['power']):,}" for v in stats["validators"]}
    assert wait_text(d, "#mempool").endswith("txs")
    assert wait_text(d, "#interval").endswith(" s")
    assert d.find_elements(By.CSS_SELECTOR, "#chart-interval svg path.line")
    assert d.find_elements(By.CSS_SELECTOR, "#chart-tps svg path.line")
    assert "transfer" in wait_text(d, "#tx-types")
    # New blocks arrive over the WebSocket: the height grows with no reload.
    wait_text(d, "#height", lambda t: t.replace(",", "").isdigit() and
              int(t.replace(",", "")) > height, "a newer height")
    assert not_reloaded(d)
    assert text_of(d, "#live") == "live"
    no_errors(d)


def test_blocks_page_grows_live_and_links_to_a_block(browser: Any, explorer: str,
                                                     chain: Chain) -> None:
    d = browser
    page = 25  # blocks on a page
    wait_until(lambda: chain.call("fictra_getBlocks", None, 1)["latest_height"] > page + 2,
               "more than a page of indexed blocks")
    open_page(d, explorer, "#/blocks")
    wait_text(d, "#blocks tbody")
    first = int(rows(d, "#blocks")[0][0])
    WebDriverWait(d, WAIT_S).until(lambda _: int(rows(d, "#blocks")[0][0]) > first,
                                   "a new block on top")
    assert not_reloaded(d)
    assert d.find_elements(By.CSS_SELECTOR, "#blocks tbody tr.new")
    heights = [int(r[0]) for r in rows(d, "#blocks")]
    assert heights == sorted(heights, reverse=True) and len(heights) == page
    assert heights == list(range(heights[0], heights[0] - page, -1))
    # Older pages go back by cursor.
    d.find_element(By.CSS_SELECTOR, "a.older").click()
    WebDriverWait(d, WAIT_S).until(lambda _: "before=" in d.current_url)
    wait_text(d, "#blocks tbody")
    assert int(rows(d, "#blocks")[0][0]) < heights[-1]

    receipt = chain.call("fictra_getTransaction", chain.transfer)
    open_page(d, explorer, f"#/block/{receipt['height']}")
    wait_text(d, "#block-txs")
    block = chain.call("fictra_getBlock", receipt["height"])
    assert text_of(d, "#block-height") == str(receipt["height"])
    assert text_of(d, "#block-hash") == block["hash"]
    assert len(rows(d, "#block-txs")) == block["num_txs"]
    link = d.find_element(By.CSS_SELECTOR, f'#block-txs a[href="#/tx/{chain.transfer}"]')
    link.click()
    assert wait_text(d, "#tx-hash") == chain.transfer
    no_errors(d)


def test_tx_page_decodes_messages_and_names_the_code(browser: Any, explorer: str,
                                                     chain: Chain) -> None:
    d = browser
    open_page(d, explorer, f"#/tx/{chain.transfer}")
    wait_text(d, "#messages")
    assert text_of(d, "#tx-code") == "OK" and text_of(d, "#tx-code-name") == "0 OK"
    assert text_of(d, "#tx-signer") == chain.key("faucet").bech32
    msg = text_of(d, "#messages")
    assert "send" in msg and chain.alice.bech32 in msg and "250 PT (250000000)" in msg
    events = rows(d, "#events")
    assert [r[0] for r in events].count("transfer") >= 1 and "fee" in [r[0] for r in events]
    # The purchase's creation: its message fields and its id linked from the events.
    open_page(d, explorer, f"#/tx/{chain.purchase_tx}")
    wait_text(d, "#messages")
    assert "create_purchase" in text_of(d, "#messages") and "WHEAT" in text_of(d, "#messages")
    d.find_element(By.CSS_SELECTOR, f'#events a[href="#/purchase/{chain.purchase}"]')
    no_errors(d)


def test_search_finds_a_tx_by_hash_and_the_rest(browser: Any, explorer: str,
                                                chain: Chain) -> None:
    d = browser
    open_page(d, explorer, "#/")

    def search(q: str) -> None:
        box = d.find_element(By.ID, "search-input")
        box.clear()
        box.send_keys(q, Keys.ENTER)

    search(chain.transfer.lower())
    assert wait_text(d, "#tx-hash") == chain.transfer
    assert d.current_url.endswith(f"#/tx/{chain.transfer}")
    height = chain.call("fictra_getTransaction", chain.transfer)["height"]
    search(str(height))
    assert wait_text(d, "#block-height") == str(height)
    search(chain.alice.bech32)
    assert wait_text(d, "#account-address") == chain.alice.bech32
    search(chain.purchase)
    assert wait_text(d, "#purchase-status") == "settled"
    search("no-such-thing")
    assert "no-such-thing" in wait_text(d, "#search-none")
    assert not_reloaded(d)


def test_account_page_shows_the_account_and_pages_its_history(browser: Any, explorer: str,
                                                              chain: Chain) -> None:
    d = browser
    trader = chain.key("trader-ch").bech32
    acc = chain.call("fictra_getAccount", trader)
    open_page(d, explorer, f"#/account/{trader}")
    assert wait_text(d, "#account-pt") == f"{units(acc['balance'])} PT"
    assert text_of(d, "#account-tier") == acc["tier"] == "corporate"
    assert text_of(d, "#account-jurisdiction") == "CH"
    assert text_of(d, "#account-roles") == ", ".join(acc["roles"])
    assert text_of(d, "#account-frozen") == "no"
    # The purchase's escrow is named, not shown as a bare address.
    escrow = to_bech32(module_address("escrow"))
    assert f"sent {units(purchase_value(chain))} PT to escrow" in text_of(d, "#history")
    d.find_element(By.CSS_SELECTOR, f'#history a.module[href="#/account/{escrow}"]')
    assert d.find_elements(By.CSS_SELECTOR,
                           f'#account-purchases a[href="#/purchase/{chain.purchase}"]')

    # alice: one received transfer and HISTORY_TXS sent, newest first, 20 a page.
    open_page(d, explorer, f"#/account/{chain.alice.bech32}")
    wait_text(d, "#history")
    seen = [a.get_attribute("href").rsplit("/", 1)[1]
            for a in d.find_elements(By.CSS_SELECTOR, "#history a.mono[href^='#/tx/']")]
    d.find_element(By.CSS_SELECTOR, "a.older").click()
    WebDriverWait(d, WAIT_S).until(lambda _: "?" in d.current_url, "the next page")
    wait_text(d, "#history")
    seen += [a.get_attribute("href").rsplit("/", 1)[1]
             for a in d.find_elements(By.CSS_SELECTOR, "#history a.mono[href^='#/tx/']")]
    assert seen == list(reversed(chain.alice_txs)) + [chain.transfer]
    assert not d.find_elements(By.CSS_SELECTOR, "a.older")
    assert "received 250 PT from" in text_of(d, "#history")
    assert len(seen) == HISTORY_TXS + 1
    bal = chain.call("fictra_getAccount", chain.alice.bech32)["balance"]
    assert text_of(d, "#account-pt") == f"{units(bal)} PT"
    no_errors(d)


def test_purchase_page_shows_the_state_machine_and_attestations(browser: Any, explorer: str,
                                                                chain: Chain) -> None:
    d = browser
    p = chain.call("fictra_getPurchase", chain.purchase)
    open_page(d, explorer, f"#/purchase/{chain.purchase}")
    assert wait_text(d, "#purchase-status") == "settled"
    current = d.find_elements(By.CSS_SELECTOR, "#machine .step.current")
    assert [c.get_attribute("data-step") for c in current] == ["settled"]
    done = {c.get_attribute("data-step")
            for c in d.find_elements(By.CSS_SELECTOR, "#machine .step.done")}
    assert done == {"open", "shipped", "verified"}
    assert text_of(d, "#purchase-buyer") == p["buyer"] == chain.key("trader-ch").bech32
    assert text_of(d, "#purchase-seller") == p["seller"]
    assert text_of(d, "#purchase-sovereign") == p["origin_sovereign"]
    assert text_of(d, "#purchase-value") == f"{units(p['value'])} PT"
    assert text_of(d, "#purchase-ft").startswith(f"{units(p['ft_issued'])} FT")
    ver = chain.call("fictra_getVerification", chain.purchase)
    for req in ver["requests"]:
        card = text_of(d, f'#attestations [data-kind="{req["kind"]}"]')
        assert f"{req['approvals']} of {req['quorum']} approvals" in card
        for a in req["attestations"]:
            assert a["verifier"][:10] in card
    assert {r["kind"] for r in ver["requests"]} == {"shipping", "quality"}
    no_errors(d)


def test_commodities_page_shows_the_catalogue_and_price_history(browser: Any, explorer: str,
                                                                chain: Chain) -> None:
    d = browser
    cat = chain.call("fictra_listCommodities")["commodities"]
    open_page(d, explorer, "#/commodities")
    wait_text(d, "#commodities")
    table = {r[0]: r for r in rows(d, "#commodities")}
    assert set(table) == {c["code"] for c in cat}
    wheat = next(c for c in cat if c["code"] == "WHEAT")
    assert table["WHEAT"][1] == wheat["name"] and table["WHEAT"][2] == wheat["unit"]
    WebDriverWait(d, WAIT_S).until(
        lambda _: d.find_element(By.ID, "price-WHEAT").get_attribute("data-points"), "chart")
    history = chain.call("fictra_getPriceHistory", "WHEAT", {"limit": 500})["points"]
    assert int(d.find_element(By.ID, "price-WHEAT").get_attribute("data-points")) >= 1
    assert history and history[-1]["price"] == str(WHEAT_PRICE)
    assert rows(d, "#commodities")[[r[0] for r in rows(d, "#commodities")].index("WHEAT")][5] \
        == f"{units(WHEAT_PRICE)} PT/{wheat['unit']}"
    assert d.find_elements(By.CSS_SELECTOR, "#price-WHEAT svg path.line")
    # The settled WHEAT purchase counts in the 30-day volume.
    purchases = int(table["WHEAT"][6].replace(",", ""))
    assert purchases >= 1
    assert d.find_elements(By.CSS_SELECTOR, "#chart-status svg rect.barv")
    no_errors(d)


def test_sovereigns_page_shows_ft_issued_and_converted(browser: Any, explorer: str,
                                                       chain: Chain) -> None:
    d = browser
    sov = chain.key("sovereign-br").bech32
    ft = chain.call("fictra_getFT", sov)
    open_page(d, explorer, "#/sovereigns")
    wait_text(d, "#sovereigns")
    got = {r[0]: r for r in rows(d, "#sovereigns")}
    assert sov in got
    assert got[sov][2] == f"{units(ft['issued'])} FT" and int(ft["issued"]) > 0
    assert got[sov][3] == f"{units(ft['converted'])} FT"
    assert got[sov][4] == f"{units(ft['balance'])} FT"
    assert got[sov][1] == "BR"
    no_errors(d)


def test_every_page_is_reached_from_the_navigation(browser: Any, explorer: str,
                                                  chain: Chain) -> None:
    d = browser
    open_page(d, explorer, "#/")
    for name, css in (("Blocks", "#blocks"), ("Commodities", "#commodities"),
                      ("Sovereigns", "#sovereigns"), ("Network", "#validators")):
        d.find_element(By.LINK_TEXT, name).click()
        wait_text(d, css)
    assert not_reloaded(d)
    assert re.search(r"#/$", d.current_url)


def test_a_rate_limited_visitor_still_gets_every_part_of_a_page(
        browser: Any, shared_localnet: Any, chain: Chain) -> None:
    """On the localnet's own gateway the browser is an anonymous FREE caller (burst 10, 2/s):
    the commodities page needs more calls than that; the refused ones are sent again after
    the wait the gateway names, and every chart is drawn."""
    d = browser
    explorer = gateway_url(shared_localnet) + "/explorer/"
    open_page(d, explorer, "#/")
    wait_text(d, "#validators")
    d.get_log("browser")  # start counting here
    d.find_element(By.LINK_TEXT, "Commodities").click()
    cat = chain.call("fictra_listCommodities")["commodities"]

    def drawn() -> bool:
        return all(text_of(d, f"#price-{c['code']}") and "loading" not in
                   text_of(d, f"#price-{c['code']}") for c in cat)

    WebDriverWait(d, WAIT_S).until(lambda _: drawn(), "every price chart")
    refused = [e for e in d.get_log("browser") if "429" in e["message"]]
    assert refused, "the page made no more calls than a burst: this test tests nothing"
    assert not d.find_elements(By.CSS_SELECTOR, "p.error"), text_of(d, "p.error")
    assert int(d.find_element(By.ID, "price-WHEAT").get_attribute("data-points")) >= 1
    assert not_reloaded(d)

"""What a wallet user reads, on the shared localnet: amounts in PT, FT and the commodity's unit
(receipts, refusals, purchases), the hash prefixes history prints accepted by ``wallet tx``,
``wallet block``, ``commodities`` and ``params``, a price submission's round, and the council
changing the catalogue and the params through ``set-commodity`` and ``update-params``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.localnets import fictra

from .conftest import Net

pytestmark = pytest.mark.integration


def _json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def test_receipts_refusals_and_prefixes_read_as_people_write_them(net: Net, tmp_path: Path
                                                                  ) -> None:
    env = net.cli_env(tmp_path / "keyring")
    fictra("wallet", "keys", "add", "carol", env=env)
    sent = fictra("wallet", "send", "--from", "faucet", "carol", "2.5PT", env=env).stdout
    assert re.search(r"sent 2\.5 PT to carol: tx [0-9A-F]{64} in block \d+ \(fee 0\.\d+ PT\)",
                     sent), sent
    # A refusal quotes PT, not base units.
    out = fictra("wallet", "send", "--from", "carol", "faucet", "5PT", env=env, check=False)
    assert out.returncode == 1 and re.search(r"balance 2\.4\d* PT < amount 5 PT", out.stderr), \
        out.stderr

    history = fictra("wallet", "history", "carol", env=env).stdout
    prefix = history.splitlines()[1].split()[1]
    assert len(prefix) == 12
    receipt = fictra("wallet", "tx", prefix, env=env).stdout  # as history printed it
    assert receipt.startswith(prefix) and "transfer: sender=" in receipt
    assert "amount=2.5 PT" in receipt and "fee: payer=" in receipt
    full = receipt.split(":")[0]
    assert _json(fictra("wallet", "tx", full[:8], "--json", env=env).stdout)["hash"] == full
    # Another wallet (no recent txs) finds it in the account's history.
    other = net.cli_env(tmp_path / "other" / "keyring")
    carol = _json(fictra("wallet", "keys", "show", "carol", "--json", env=env).stdout)["address"]
    out = fictra("wallet", "tx", prefix, env=other, check=False)
    assert out.returncode == 1 and "--account" in out.stderr
    found = fictra("wallet", "tx", prefix, "--account", carol, "--json", env=other).stdout
    assert _json(found)["hash"] == full
    # Two recent txs with the same prefix: the candidates are listed.
    recent = tmp_path / "recent-txs"
    twins = ["ABCDEF" + "0" * 58, "ABCDEF" + "1" * 58]
    recent.write_text(recent.read_text() + "\n".join(twins) + "\n")
    out = fictra("wallet", "tx", "abcdef", env=env, check=False)
    assert out.returncode == 1 and "ambiguous" in out.stderr
    assert all(t in out.stderr for t in twins)

    # The block that holds it lists it; the catalogue and the params read in units.
    height = _json(fictra("wallet", "tx", full, "--json", env=env).stdout)["height"]
    block = fictra("wallet", "block", str(height), env=env).stdout
    assert block.startswith(f"block {height} ") and full in block
    doc = _json(fictra("wallet", "block", str(height), "--json", env=env).stdout)
    assert doc["height"] == height and full in doc["txs"]
    out = fictra("wallet", "block", "99999999", env=env, check=False)
    assert out.returncode == 1 and "block 99999999" in out.stderr
    cat = fictra("wallet", "commodities", env=env).stdout
    assert re.search(r"WHEAT\s+t\s+3\s+2\.00%\s+shipping 1, quality 1\s+Wheat", cat), cat
    params = fictra("wallet", "params", env=env).stdout
    assert re.search(r"base_fee\s+0\.001 PT", params) and "oracle_round_blocks" in params


def test_a_purchase_reads_in_the_commodity_unit(net: Net, tmp_path: Path) -> None:
    env = net.cli_env(tmp_path / "keyring")
    created = fictra("wallet", "trade", "create", "--from", "trader-ch", "--seller",
                     "trader-sg", "--commodity", "WHEAT", "--quantity", "10", "--unit-price",
                     "250PT", "--sovereign", "sovereign-br", env=env).stdout
    assert "10 t WHEAT at 250 PT/t = 2500 PT" in created, created
    pid = created.split()[1]
    shown = fictra("wallet", "trade", "show", pid, env=env).stdout
    assert "10 t WHEAT at 250 PT/t = 2500 PT" in shown and "FT issued 0 FT" in shown
    assert _json(fictra("wallet", "trade", "show", pid, "--json", env=env).stdout
                 )["purchase"]["quantity"] == "10000"  # --json keeps base units
    listed = fictra("wallet", "trade", "list", "trader-ch", env=env).stdout
    assert f"{pid}  open      10 t WHEAT  2500 PT" in listed
    ft = fictra("wallet", "ft", "show", "sovereign-br", env=env).stdout
    assert re.search(r": [\d.]+ FT \(issued [\d.]+ FT, converted [\d.]+ FT\)", ft), ft


def test_price_submit_says_its_round_and_what_is_left_of_it(net: Net, tmp_path: Path) -> None:
    env = net.cli_env(tmp_path / "keyring")
    out = fictra("wallet", "price", "submit", "--from", "oracle-3", "COFFEE", "4000PT",
                 env=env, check=False)
    m = re.search(r"submitting for round (\d+), which closes with block (\d+), (\d+) blocks? "
                  r"\(about (\d+) s\) from now", out.stdout)
    assert m, out.stdout + out.stderr
    rnd, closes, left = int(m.group(1)), int(m.group(2)), int(m.group(3))
    blocks = int(net.call("fictra_getParams")["oracle_round_blocks"])
    assert closes == (rnd + 1) * blocks - 1 and 1 <= left <= blocks
    landed = re.search(r"price submitted for round (\d+): tx \w+ in block (\d+)", out.stdout)
    if out.returncode == 0:
        assert landed, out.stdout
        final, block = int(landed.group(1)), int(landed.group(2))
        assert final * blocks <= block <= (final + 1) * blocks - 1
        if final != rnd:  # refused by CheckTx once the round had closed: sent for the next
            assert final == rnd + 1 and "closed before the submission arrived" in out.stderr
    else:  # it reached CheckTx in time but missed the round's last block: after the warning
        assert left <= 2 and "about to close" in out.stderr and "ROUND_INVALID" in out.stdout
    doc = _json(fictra("wallet", "price", "submit", "--from", "oracle-2", "COFFEE", "4000PT",
                       "--json", env=env, check=False).stdout)
    assert "round" in doc or doc.get("code") not in (0, None)


def test_council_adds_a_commodity_and_changes_a_param(net: Net, tmp_path: Path) -> None:
    env = net.cli_env(tmp_path / "keyring")

    def passed(*propose: str) -> None:
        got = _json(fictra("wallet", "council", "propose", "--from", "council-1", *propose,
                           "--json", env=env).stdout)
        assert got["code"] == 0 and got["proposal_status"] == "pending", got
        voted = _json(fictra("wallet", "council", "vote", "--from", "council-2",
                             got["proposal_id"], "yes", "--json", env=env).stdout)
        assert voted["proposal_status"] == "passed", voted

    passed("set-commodity", "TEA", "--name", "Black tea", "--unit", "t", "--decimals", "3",
           "--ft-rate-bps", "150", "--requirements", "shipping=1,quality=2")
    cat = _json(fictra("wallet", "commodities", "--json", env=env).stdout)["commodities"]
    tea = next(c for c in cat if c["code"] == "TEA")
    assert (tea["unit"], tea["decimals"], tea["ft_rate_bps"], tea["requirements"]) == (
        "t", 3, 150, {"shipping": 1, "quality": 2})
    passed("set-commodity", "TEA", "--active", "no")  # withdrawn, the rest kept
    cat = fictra("wallet", "commodities", env=env).stdout
    assert re.search(r"TEA\s+t\s+3\s+1\.50%.*Black tea \(withdrawn\)", cat), cat

    before = net.call("fictra_getParams")["proposal_expiry_blocks"]
    passed("update-params", f"proposal_expiry_blocks={int(before) + 1}")
    assert net.call("fictra_getParams")["proposal_expiry_blocks"] == str(int(before) + 1)
    passed("update-params", f"proposal_expiry_blocks={before}")  # as the other tests expect
    bad = fictra("wallet", "council", "propose", "--from", "council-1", "update-params",
                 "oracle_round_blocks=0", env=env, check=False)
    assert bad.returncode == 1 and "oracle_round_blocks: 0 is outside 1..1000000" in bad.stderr

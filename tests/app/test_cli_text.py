"""What the wallet CLI prints for people: a recipient's history shows its own moves only; a
tx the gateway holds or dropped reads as such; amounts in PT, FT and commodity units; price
rounds; the council's set-commodity and update-params; help, completion, bad key files."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys

import pytest

from app.cli import council_actions as ca
from app.cli.units import event_text, quantity, readable_log
from app.cli.wallet import history_line, proposal_outcome, tx_text
from app.cli.wallet_trade import round_window
from app.cli.walletio import UserError
from app.crypto import Key
from app.modules.catalogue import KINDS
from app.params import ROLES, TIERS, default_params, params_to_json
from tests.localnets import ROOT, fictra

ME, YOU, FAUCET = "fic1me", "fic1you", "fic1faucet"


def _transfer(sender: str, recipient: str, amount: str) -> dict:
    return {"type": "transfer", "attributes": {"sender": sender, "recipient": recipient,
                                               "amount": amount}}


def test_history_shows_only_the_addresses_own_outputs_of_a_multisend() -> None:
    r = {"height": 7, "hash": "AB" * 32, "status": "success",
         "events": [_transfer(FAUCET, ME, "1000000"), _transfer(FAUCET, YOU, "2000000")]}
    line = history_line(r, ME)
    assert "received 1 PT from fic1faucet" in line and "2 PT" not in line
    assert "received 2 PT" in history_line(r, YOU) and "sent" in history_line(r, FAUCET)


def test_pending_and_dropped_txs_read_as_such() -> None:
    h = "CD" * 32
    assert tx_text({"hash": h, "status": "pending", "resends": 1, "reason": "",
                    "accepted_height": 3}).endswith("offered to the node again 1 times")
    dropped = tx_text({"hash": h, "status": "dropped", "resends": 0, "reason": "nonce 4 was "
                       "used by another tx", "accepted_height": 3})
    assert "dropped" in dropped and "nonce 4" in dropped


def test_a_vote_that_fails_its_proposal_says_so_and_why() -> None:
    r = {"events": [{"type": "vote", "attributes": {"proposal": "3"}},
                    {"type": "proposal", "attributes": {"id": "3", "action": "burn",
                                                        "status": "failed",
                                                        "result": "code 44: treasury holds 5"}}]}
    text, doc = proposal_outcome(r)
    assert text == " (proposal 3: failed: code 44: treasury holds 5)"
    assert doc == {"proposal_id": "3", "proposal_status": "failed",
                   "proposal_result": "code 44: treasury holds 5"}
    assert proposal_outcome({"events": []}) == ("", {})


def test_stake_commission_is_read_in_percent_or_bps() -> None:
    import pytest

    from app.cli.wallet_stake import commission_bps
    from app.cli.walletio import UserError

    assert commission_bps("5%") == 500 and commission_bps("2.5%") == 250
    assert commission_bps("0.01%") == 1 and commission_bps("750bps") == 750
    for bad in ("101%", "5", "5.555%", "-1%", "10001bps"):
        with pytest.raises(UserError):
            commission_bps(bad)


# -- amounts in PT, FT and the commodity's unit -----------------------------------------------

def test_logs_quoting_amounts_read_in_pt_and_ft() -> None:
    assert readable_log("message 0 (send): balance 238242820 < amount 10000000000") == \
        "message 0 (send): balance 238.24282 PT < amount 10000 PT"
    assert readable_log("FT balance 5000000 < amount 10000000") == \
        "FT balance 5 FT < amount 10 FT"
    assert readable_log("balance 1 cannot pay fee 2380") == \
        "balance 0.000001 PT cannot pay fee 0.00238 PT"
    assert readable_log("corporate tier allows at most 100000000000000 per transfer, purchase "
                        "value 25000000000000000") == ("corporate tier allows at most "
                                                       "100000000 PT per transfer, purchase "
                                                       "value 25000000000 PT")
    assert readable_log("treasury holds 5, burn 7000000") == \
        "treasury holds 0.000005 PT, burn 7 PT"
    assert readable_log("reserve holds 3 PT, conversion needs 4000000") == \
        "reserve holds 0.000003 PT, conversion needs 4 PT"
    assert readable_log("1000000 FT converted in the last 43200 blocks; cap 2000000, asked "
                        "1500000") == ("1 FT converted in the last 43200 blocks; cap 2 FT, "
                                       "asked 1.5 FT")
    assert readable_log("5 x 3 / 10^3 is 0 PT") == "0.005 units x 0.000003 PT per unit is 0 PT"
    # Texts without amounts are left as they are.
    assert readable_log("nonce 4, expected 5") == "nonce 4, expected 5"
    assert readable_log("round 13 is not the current round 14") == \
        "round 13 is not the current round 14"


def test_events_and_quantities_read_in_units() -> None:
    assert event_text(_transfer(FAUCET, ME, "12500000")) == \
        "transfer: sender=fic1faucet, recipient=fic1me, amount=12.5 PT"
    assert event_text({"type": "ft_issued", "attributes": {"sovereign": ME, "amount": "50000000",
                                                           "purchase": "ab"}}) == \
        "ft_issued: sovereign=fic1me, amount=50 FT, purchase=ab"
    assert event_text({"type": "vote", "attributes": {"proposal": "3"}}) == "vote: proposal=3"
    wheat = {"code": "WHEAT", "unit": "t", "decimals": 3}
    assert quantity("10000", wheat) == "10 t" and quantity("12345", wheat) == "12.345 t"
    assert quantity("7", {"code": "BRENT", "unit": "bbl", "decimals": 0}) == "7 bbl"
    assert quantity("7", None) == "7 base units"


def test_the_round_a_price_lands_in_and_what_is_left_of_it() -> None:
    # 5-block rounds: round 13 is blocks 65..69; a tx sent after block 64 lands in 65.
    assert round_window(64, 5, 2.0) == {"round": 13, "closes_at": 69, "blocks_left": 5,
                                        "seconds_left": 10}
    # After block 68 only block 69 is left of round 13: the caller warns.
    assert round_window(68, 5, 2.0) == {"round": 13, "closes_at": 69, "blocks_left": 1,
                                        "seconds_left": 2}
    assert round_window(69, 5, 2.0)["round"] == 14


def test_a_price_refused_because_its_round_closed_goes_to_the_open_round(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # The round closing between the status read and CheckTx cannot be timed on a live chain.
    from app.cli import wallet_trade as wt
    from app.errors import Code
    from rpc.client import GatewayError
    from rpc.wallet import TX_REJECTED

    windows = iter([round_window(68, 5, 2.0), round_window(69, 5, 2.0)])
    sent: list[int] = []

    async def round_now(args: argparse.Namespace) -> dict[str, int]:
        return next(windows)

    async def submit_for(args: argparse.Namespace, w: dict[str, int], price: int) -> int:
        sent.append(w["round"])
        if len(sent) == 1:
            raise GatewayError(TX_REJECTED, "Transaction rejected",
                               {"code": int(Code.ROUND_INVALID), "log": "round 13 is not the "
                                "current round 14"})
        return 0

    monkeypatch.setattr(wt, "_round_now", round_now)
    monkeypatch.setattr(wt, "_submit_for", submit_for)
    args = argparse.Namespace(json=False, price="250PT", commodity="WHEAT")
    assert asyncio.run(wt._price_submit(args)) == 0
    assert sent == [13, 14]
    err = capsys.readouterr().err
    assert "round 13 is about to close" in err
    assert ("round 13 closed before the submission arrived (refused, no fee paid); submitting "
            "for round 14, which closes with block 74, 5 blocks (about 10 s) from now") in err


def test_a_price_refused_for_another_reason_is_not_sent_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli import wallet_trade as wt
    from app.errors import Code
    from rpc.client import GatewayError
    from rpc.wallet import TX_REJECTED

    sent: list[int] = []

    async def round_now(args: argparse.Namespace) -> dict[str, int]:
        return round_window(64, 5, 2.0)

    async def submit_for(args: argparse.Namespace, w: dict[str, int], price: int) -> int:
        sent.append(w["round"])
        raise GatewayError(TX_REJECTED, "Transaction rejected", {"code": int(Code.NOT_AUTHORIZED)})

    monkeypatch.setattr(wt, "_round_now", round_now)
    monkeypatch.setattr(wt, "_submit_for", submit_for)
    args = argparse.Namespace(json=True, price="250PT", commodity="WHEAT")
    with pytest.raises(GatewayError):
        asyncio.run(wt._price_submit(args))
    assert sent == [13]


# -- council actions that change the chain's terms ---------------------------------------------

def test_council_action_names_match_the_chain() -> None:
    assert ca.TIERS == TIERS and tuple(ROLES) == ca.ROLES and tuple(KINDS.values()) == ca.KINDS


def _council_args(**kw: object) -> argparse.Namespace:
    base = {"name": None, "unit": None, "decimals": None, "ft_rate_bps": None,
            "requirements": None, "active": None}
    return argparse.Namespace(**{**base, **kw})


def test_set_commodity_starts_from_the_current_entry_and_checks_it() -> None:
    wheat = {"code": "WHEAT", "name": "Wheat", "unit": "t", "decimals": 3, "ft_rate_bps": 200,
             "requirements": {"shipping": 1, "quality": 1}, "active": True}
    action = ca.commodity(_council_args(active="no"), "WHEAT", wheat)
    assert action.set_commodity.active is False and action.set_commodity.decimals == 3
    new = ca.commodity(_council_args(name="Tea", unit="t", decimals=3, ft_rate_bps=150,
                                     requirements="shipping=1,quality=2"), "TEA", None)
    assert [(r.kind, r.quorum) for r in new.set_commodity.requirements] == [(1, 1), (3, 2)]
    with pytest.raises(UserError, match="needs --name, --unit"):
        ca.commodity(_council_args(), "TEA", None)
    with pytest.raises(UserError, match="decimals: 9 is outside 0..6"):
        ca.commodity(_council_args(decimals=9), "WHEAT", wheat)
    with pytest.raises(UserError, match="KIND one of shipping, customs, quality"):
        ca.commodity(_council_args(requirements="weight=1"), "WHEAT", wheat)


def test_update_params_changes_the_current_params_in_pt() -> None:
    current = {**params_to_json(default_params()), "height": 9}
    p = ca.params(["base_fee=0.002", "tier_limits.basic=20000PT", "oracle_round_blocks=10",
                   "blocked_jurisdictions=kp,ir", "ft_conversion_cap=5FT"], current)
    got = p.update_params
    assert (got.base_fee, got.tier_limits[1], got.oracle_round_blocks) == (2000, 20 * 10**9, 10)
    assert list(got.blocked_jurisdictions) == ["KP", "IR"] and got.ft_conversion_cap == 5 * 10**6
    assert got.fee_per_byte == default_params().fee_per_byte  # the rest as it was
    with pytest.raises(UserError, match="KEY one of"):
        ca.params(["no_such=1"], current)
    with pytest.raises(UserError, match="oracle_round_blocks: 0 is outside 1..1000000"):
        ca.params(["oracle_round_blocks=0"], current)
    with pytest.raises(UserError, match="not an amount"):
        ca.params(["base_fee=lots"], current)
    with pytest.raises(UserError, match="TIER must be one of"):
        ca.params(["tier_limits.gold=1"], current)
    text = ca.params_text(current)
    assert "base_fee                     0.001 PT" in text and "basic 10000 PT" in text


# -- the command line itself --------------------------------------------------------------------

def test_help_lists_the_tiers_and_completion_offers_them(tmp_path) -> None:
    help_text = fictra("wallet", "council", "propose", "--help").stdout
    assert "{none,basic,enhanced,corporate,sovereign}" in help_text
    assert "set-commodity" in help_text and "update-params" in help_text
    out = tmp_path / "completions"
    line = "fictra wallet council propose --tier "
    env = {**os.environ, "_ARGCOMPLETE": "1", "COMP_LINE": line, "COMP_POINT": str(len(line)),
           "_ARGCOMPLETE_STDOUT_FILENAME": str(out)}
    subprocess.run([sys.executable, "-m", "app.cli.main"], cwd=ROOT, env=env, check=True,
                   timeout=60)
    assert out.read_text().split("\x0b") == ["none", "basic", "enhanced", "corporate",
                                             "sovereign"]


def test_a_bad_key_file_names_its_path_once(tmp_path) -> None:
    ring = tmp_path / "keyring"
    ring.mkdir()
    (ring / "bad.json").write_text("nonsense")
    env = {"FICTRA_KEYRING": str(ring), "FICTRA_PASSPHRASE": "x" * 8,
           "FICTRA_LOCALNET_HOME": str(tmp_path / "none"), "FICTRA_GATEWAY": "http://127.0.0.1:9"}

    to = Key.generate().bech32
    out = fictra("wallet", "send", "--from", "bad", to, "1", env=env, check=False)
    assert out.returncode == 1 and out.stderr.count(str(ring / "bad.json")) == 1, out.stderr
    assert "not JSON" in out.stderr
    plain = tmp_path / "none" / "keys"
    plain.mkdir(parents=True)
    (plain / "odd.json").write_text('{"address": "fic1x"}')
    out = fictra("wallet", "keys", "show", "odd", env=env, check=False)
    assert out.stderr.count(str(plain / "odd.json")) == 1 and "no 'private_key'" in out.stderr


def test_staking_logs_and_events_read_in_pt() -> None:
    from app.cli.units import event_text, readable_log

    assert readable_log("message 0 (undelegate): the delegation is worth 300000, not "
                        "1000000000") == ("message 0 (undelegate): the delegation is worth "
                                          "0.3 PT, not 1000 PT")
    assert readable_log("self-bond 999999 below min_self_bond 1000000") == \
        "self-bond 0.999999 PT below min_self_bond 1 PT"
    assert readable_log("self-bond worth 5, below min_self_bond 1000000") == \
        "self-bond worth 0.000005 PT, below min_self_bond 1 PT"
    assert readable_log("7 buys no share at this operator") == \
        "0.000007 PT buys no share at this operator"
    ev = {"type": "slash", "attributes": {"reason": "downtime", "amount": "1000000"}}
    assert event_text(ev) == "slash: reason=downtime, amount=1 PT"

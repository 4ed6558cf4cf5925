"""What the wallet CLI prints for people: a recipient's history shows its own moves only; a
tx the gateway holds or dropped reads as such."""

from __future__ import annotations

from app.cli.wallet import history_line, proposal_outcome, tx_text

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

"""Oracle rounds (quorum, median, suspect moves, staleness, history) and FT conversion (rate,
rolling cap, reserve, registry) in-process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.errors import Code
from app.params import UNIT
from app.pb import tx_pb2
from app.tx import builder as tb
from tests.app.chain import COUNCIL, Chain
from tests.app.trade_chain import (
    BUYER,
    DOC,
    MAX_AGE,
    ORACLES,
    OUTSIDER,
    RESERVE_START,
    ROUND,
    SELLER,
    SOVEREIGN,
    VERIFIERS,
    WINDOW,
    events,
    fee_of,
    ft_balance,
    info,
    new_chain,
    reserve_balance,
    run,
)


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    c = new_chain(tmp_path / "state")
    yield c
    c.app.close()


def to_round_start(chain: Chain) -> int:
    """Commit empty blocks until the next block opens a round; that round's number."""
    while (chain.height + 1) % ROUND:
        chain.finalize([])
    return (chain.height + 1) // ROUND


def round_of(chain: Chain, prices: dict[int, int], commodity: str = "BRENT") -> list[Any]:
    """One whole round: oracle i submits prices[i] in its first block; the round's end events."""
    rnd = to_round_start(chain)
    res = chain.finalize([chain.tx(ORACLES[i], tb.submit_price(commodity, rnd, p))
                          for i, p in sorted(prices.items())])
    assert all(r.code == 0 for r in res.tx_results), [r.log for r in res.tx_results]
    out = events(res, "price")
    while (chain.height + 1) % ROUND:
        out += events(chain.finalize([]), "price")
    return out


def price(chain: Chain, commodity: str = "BRENT") -> dict[str, Any]:
    return info(chain, f"/price/{commodity}")


def test_two_thirds_of_the_oracles_publish_the_median(chain: Chain) -> None:
    ev = round_of(chain, {0: 80 * UNIT, 1: 82 * UNIT, 2: 81 * UNIT})
    assert [(e["status"], e["price"], e["submissions"]) for e in ev] == [
        ("published", str(81 * UNIT), "3")]
    p = price(chain)
    assert (p["status"], p["price"], p["published_height"]) == ("current", str(81 * UNIT),
                                                                chain.height)
    ev = round_of(chain, {0: 80 * UNIT, 2: 84 * UNIT})  # 2 of 3: even count, mean of middles
    assert ev[0]["status"] == "published" and ev[0]["price"] == str(82 * UNIT)
    ev = round_of(chain, {1: 90 * UNIT})  # 1 of 3: the round fails, the price ages
    assert [(e["status"], e["submissions"]) for e in ev] == [("failed", "1")]
    assert price(chain)["price"] == str(82 * UNIT)
    assert price(chain)["last_outcome"] == "failed"
    history = info(chain, "/price_history/BRENT")["points"]
    assert [x["price"] for x in history] == [str(81 * UNIT), str(82 * UNIT)]


def test_a_suspect_move_is_held_until_a_second_round_confirms_it(chain: Chain) -> None:
    round_of(chain, {0: 100 * UNIT, 1: 100 * UNIT, 2: 100 * UNIT})
    ev = round_of(chain, {0: 150 * UNIT, 1: 150 * UNIT, 2: 150 * UNIT})  # +50 % > 10 %
    assert ev[0]["status"] == "suspect"
    p = price(chain)
    assert p["price"] == str(100 * UNIT) and p["suspect"]["price"] == str(150 * UNIT)
    ev = round_of(chain, {0: 151 * UNIT, 1: 152 * UNIT, 2: 149 * UNIT})  # confirms
    assert ev[0]["status"] == "published" and price(chain)["price"] == str(151 * UNIT)
    assert price(chain)["suspect"] is None
    # A spike that the next round does not confirm is never published.
    assert round_of(chain, {0: 10 * UNIT, 1: 10 * UNIT})[0]["status"] == "suspect"
    assert round_of(chain, {0: 150 * UNIT, 1: 152 * UNIT})[0]["status"] == "published"
    prices = [x["price"] for x in info(chain, "/price_history/BRENT")["points"]]
    assert str(10 * UNIT) not in prices and str(150 * UNIT) not in prices


def test_a_price_older_than_max_age_rounds_is_absent(chain: Chain) -> None:
    assert price(chain)["status"] == "absent" and price(chain)["price"] is None
    round_of(chain, {0: 7 * UNIT, 1: 7 * UNIT})
    published = chain.height
    limit = MAX_AGE * ROUND
    while chain.height < published + limit:
        assert price(chain)["status"] == "current"
        chain.finalize([])
    assert price(chain)["status"] == "current"  # exactly max_age rounds old
    chain.finalize([])
    p = price(chain)
    assert (p["status"], p["price"], p["age_blocks"]) == ("absent", None, limit + 1)
    # Queried at an older height it was current then.
    assert info(chain, "/price/BRENT", published)["status"] == "current"
    # With no current price, a large move is published at once.
    assert round_of(chain, {0: 70 * UNIT, 2: 70 * UNIT})[0]["status"] == "published"


def test_submissions_are_refused_with_their_codes(chain: Chain) -> None:
    rnd = to_round_start(chain)
    res = chain.finalize([
        chain.tx(OUTSIDER, tb.submit_price("BRENT", rnd, UNIT)),
        chain.tx(ORACLES[0], tb.submit_price("BRENT", rnd + 1, UNIT)),
        chain.tx(ORACLES[0], tb.submit_price("BRENT", rnd, UNIT)),
        chain.tx(ORACLES[0], tb.submit_price("BRENT", rnd, 2 * UNIT)),
        chain.tx(ORACLES[1], tb.submit_price("COBALT", rnd, UNIT)),
        chain.tx(ORACLES[1], tb.submit_price("TIN", rnd, UNIT)),
    ])
    assert [r.code for r in res.tx_results] == [
        Code.NOT_ORACLE, Code.ROUND_INVALID, 0, Code.ALREADY_SUBMITTED,
        Code.COMMODITY_UNKNOWN, Code.COMMODITY_INACTIVE]
    bad = chain.check(chain.tx(ORACLES[1], tb.submit_price("BRENT", rnd, 0),
                               nonce=chain.account(ORACLES[1]).nonce))
    assert bad.code == Code.TX_INVALID


def test_the_oracle_set_follows_the_role_and_sets_the_quorum(chain: Chain) -> None:
    assert info(chain, "/oracles")["count"] == 3
    # Remove one oracle: 2 of the remaining 2 is a quorum, its old submissions no longer count.
    res = run(chain, COUNCIL[0], tb.propose(tb.update_entity(
        ORACLES[2].address, tx_pb2.KYC_TIER_ENHANCED, "GB", 0)))
    pid = int(events(res, "proposal")[0]["id"])
    assert run(chain, COUNCIL[1], tb.vote(pid, True)).code == 0
    assert info(chain, "/oracles")["count"] == 2
    ev = round_of(chain, {0: 5 * UNIT, 1: 6 * UNIT})
    assert ev[0]["status"] == "published" and ev[0]["price"] == str(5_500_000)
    rnd = to_round_start(chain)
    res = chain.finalize([chain.tx(ORACLES[2], tb.submit_price("BRENT", rnd, UNIT))])
    assert res.tx_results[0].code == Code.NOT_ORACLE


def _settle_for_ft(chain: Chain, value_pt: int) -> int:
    """Settle a WHEAT purchase (200 bps) worth ``value_pt`` PT; the FT issued."""
    h = chain.height + 1
    raw = chain.tx(BUYER, tb.create_purchase(SELLER.address, "WHEAT", 1_000, value_pt * UNIT,
                                             SOVEREIGN.address, h + 5, h + 10))
    pid = tb.purchase_id(raw)
    assert chain.finalize([raw]).tx_results[0].code == 0
    assert run(chain, SELLER, tb.confirm_shipment(pid, [DOC])).code == 0
    res = run(chain, VERIFIERS[0], tb.attest(pid, tx_pb2.VERIFICATION_KIND_SHIPPING, True, DOC))
    assert res.code == 0, res.log
    return int(events(res, "ft_issued")[0]["amount"])


def test_convert_ft_pays_from_the_reserve_within_a_rolling_cap(chain: Chain) -> None:
    issued = _settle_for_ft(chain, 90_000)  # 2 % of 90,000 PT: 1,800 FT
    assert issued == 1_800 * UNIT
    pt0 = chain.balance(SOVEREIGN)
    res = run(chain, SOVEREIGN, tb.convert_ft(600 * UNIT))
    assert res.code == 0, res.log
    first = chain.height
    assert events(res, "ft_converted") == [{"sovereign": SOVEREIGN.bech32,
                                             "amount": str(600 * UNIT),
                                             "pt_amount": str(600 * UNIT)}]
    assert chain.balance(SOVEREIGN) == pt0 - fee_of(res) + 600 * UNIT
    assert reserve_balance(chain) == RESERVE_START - 600 * UNIT
    assert ft_balance(chain, SOVEREIGN) == 1_200 * UNIT
    # The cap is 1,000 FT per 10 blocks.
    res = run(chain, SOVEREIGN, tb.convert_ft(401 * UNIT))
    assert res.code == Code.CONVERSION_CAP, res.log
    assert run(chain, SOVEREIGN, tb.convert_ft(400 * UNIT)).code == 0
    while chain.height + 1 < first + WINDOW - 1:  # the window: the last WINDOW blocks
        chain.finalize([])
    assert run(chain, SOVEREIGN, tb.convert_ft(1)).code == Code.CONVERSION_CAP  # still inside
    # The first conversion has left the window.
    assert run(chain, SOVEREIGN, tb.convert_ft(600 * UNIT)).code == 0  # 400 + 600 in window
    assert run(chain, SOVEREIGN, tb.convert_ft(201 * UNIT)).code == Code.FT_INSUFFICIENT
    s = info(chain, f"/sovereign/{SOVEREIGN.bech32}")
    assert (s["balance"], s["issued"], s["converted"], s["conversions"]) == (
        str(200 * UNIT), str(1_800 * UNIT), str(1_600 * UNIT), 3)
    assert info(chain, "/ft_supply")["supply"] == str(200 * UNIT)
    recs = info(chain, f"/ft_conversions/{SOVEREIGN.bech32}?from={first}&to={first}")
    assert [r["amount"] for r in recs["conversions"]] == [str(600 * UNIT)]
    # Non-sovereigns cannot convert; FT cannot be sent anywhere (no such message exists).
    assert run(chain, BUYER, tb.convert_ft(UNIT)).code == Code.NOT_SOVEREIGN


def test_conversion_rate_reserve_and_council_funding(chain: Chain) -> None:
    _settle_for_ft(chain, 20_000)  # 400 FT
    params = tx_pb2.Params()
    params.CopyFrom(chain.app._check_ctx().params)
    params.ft_conversion_rate_bps = 25_000  # 1 FT -> 2.5 PT
    _council(chain, tb.update_params(params))
    assert run(chain, SOVEREIGN, tb.convert_ft(1)).code == 0  # 2.5 base units -> 2
    res = run(chain, SOVEREIGN, tb.convert_ft(100 * UNIT))
    assert res.code == 0 and events(res, "ft_converted")[0]["pt_amount"] == str(250 * UNIT)
    params.ft_conversion_rate_bps = 1
    _council(chain, tb.update_params(params))
    assert run(chain, SOVEREIGN, tb.convert_ft(9_999)).code == Code.CONVERSION_TOO_SMALL
    # Drain the reserve, then the council refills it from the treasury.
    params.ft_conversion_rate_bps = 100_000_000  # 1 FT -> 10,000 PT
    _council(chain, tb.update_params(params))
    res = run(chain, SOVEREIGN, tb.convert_ft(150 * UNIT))  # 1.5 M PT
    assert res.code == Code.RESERVE_INSUFFICIENT, res.log
    reserve0, treasury0 = reserve_balance(chain), int(chain.supply()["treasury"])
    assert _council(chain, tb.fund_reserve(900_000 * UNIT)) == "passed"
    assert reserve_balance(chain) == reserve0 + 900_000 * UNIT
    assert int(chain.supply()["treasury"]) < treasury0 - 899_000 * UNIT  # fees flowed in too
    assert run(chain, SOVEREIGN, tb.convert_ft(150 * UNIT)).code == 0
    assert _council(chain, tb.fund_reserve(10**15)) == "failed"  # more than the treasury


def test_the_sovereign_registry_follows_the_role(chain: Chain) -> None:
    assert info(chain, f"/sovereign/{SOVEREIGN.bech32}")["active"] is True
    _council(chain, tb.update_entity(SOVEREIGN.address, tx_pb2.KYC_TIER_SOVEREIGN, "BR", 0))
    s = info(chain, f"/sovereign/{SOVEREIGN.bech32}")
    assert s["active"] is False
    h = chain.height + 1
    res = run(chain, BUYER, tb.create_purchase(SELLER.address, "BRENT", 1, UNIT,
                                               SOVEREIGN.address, h + 5, h + 6))
    assert res.code == Code.NOT_SOVEREIGN
    assert run(chain, SOVEREIGN, tb.convert_ft(1)).code == Code.NOT_SOVEREIGN


def _council(chain: Chain, action: tx_pb2.Action) -> str:
    res = run(chain, COUNCIL[0], tb.propose(action))
    assert res.code == 0, res.log
    pid = int(events(res, "proposal")[0]["id"])
    res = run(chain, COUNCIL[1], tb.vote(pid, True))
    assert res.code == 0, res.log
    return events(res, "proposal")[-1]["status"]

"""Genesis of the trade modules: the catalogue, the reserve and the trade params are validated
with field paths; the localnet genesis carries a catalogue and the registries it implies."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from app.crypto import module_address, read_key_file
from app.genesis import GenesisError, validate_app_state
from app.params import MAX_SUPPLY
from genesis.localnet import localnet_app_state
from tests.app.chain import Chain
from tests.app.trade_chain import RESERVE_START, trade_state


def _broken(change: Any) -> dict[str, Any]:
    doc = copy.deepcopy(trade_state())
    change(doc)
    return doc


CASES = [
    (lambda d: d["commodities"][0].update(code="brent"), "app_state.commodities[0].code",
     "A-Z"),
    (lambda d: d["commodities"][0].update(decimals=7), "app_state.commodities[0].decimals",
     "outside"),
    (lambda d: d["commodities"][0].update(ft_rate_bps=10_001),
     "app_state.commodities[0].ft_rate_bps", "outside"),
    (lambda d: d["commodities"][0].update(requirements={}),
     "app_state.commodities[0].requirements", "at least one"),
    (lambda d: d["commodities"][0].update(requirements={"tasting": 1}),
     "app_state.commodities[0].requirements.tasting", "unknown field"),
    (lambda d: d["commodities"][0]["requirements"].update(shipping=0),
     "app_state.commodities[0].requirements.shipping", "outside"),
    (lambda d: d["commodities"][1].update(code="BRENT"), "app_state.commodities[1].code",
     "duplicate"),
    (lambda d: d["commodities"][0].pop("unit"), "app_state.commodities[0].unit", "missing"),
    (lambda d: d["commodities"][0].update(active="yes"), "app_state.commodities[0].active",
     "true or false"),
    (lambda d: d["reserve"].update(balance="x"), "app_state.reserve.balance", "integer"),
    (lambda d: d["reserve"].update(balance=str(MAX_SUPPLY)), "app_state.reserve.balance",
     "maximum"),
    (lambda d: d["params"].update(oracle_round_blocks=0), "app_state.params.oracle_round_blocks",
     "1..1000000"),
    (lambda d: d["params"].update(ft_conversion_rate_bps=-1),
     "app_state.params.ft_conversion_rate_bps", "outside"),
    (lambda d: d["params"].update(ft_conversion_cap="1.5"),
     "app_state.params.ft_conversion_cap", "not a non-negative integer"),
    (lambda d: d["accounts"].insert(0, {"address": _bech(module_address("escrow")),
                                        "balance": "1"}), "app_state.accounts[0].address",
     "module account"),
    (lambda d: d["entities"].insert(0, {"address": _bech(module_address("reserve")),
                                        "tier": "basic", "jurisdiction": "CH"}),
     "app_state.entities[0].address", "module account"),
]


def _bech(address: bytes) -> str:
    from app.crypto import to_bech32

    return to_bech32(address)


@pytest.mark.parametrize(("change", "path", "problem"), CASES)
def test_bad_trade_genesis_names_field_and_problem(change: Any, path: str, problem: str) -> None:
    with pytest.raises(GenesisError) as e:
        validate_app_state(_broken(change))
    assert e.value.path == path
    assert problem in e.value.problem


def test_the_reserve_is_part_of_the_supply() -> None:
    gs = validate_app_state(trade_state())
    assert gs.reserve == RESERVE_START
    assert gs.supply == gs.treasury + gs.reserve + sum(gs.accounts.values())


def test_localnet_genesis_has_a_catalogue_verifiers_oracles_and_a_sovereign(
        tmp_path: Path) -> None:
    doc = localnet_app_state(tmp_path, [b"\x01" * 32])
    gs = validate_app_state(json.loads(json.dumps(doc)))
    codes = {c.code for c in gs.commodities}
    assert {"BRENT", "LNG", "COPPER", "WHEAT"} <= codes
    c = Chain(tmp_path / "state", doc)
    c.finalize([])
    try:
        oracles = json.loads(c.query("/oracles").info)
        assert oracles["count"] == 3
        want = {read_key_file(tmp_path / "keys" / f"oracle-{i}.json").bech32 for i in (1, 2, 3)}
        assert set(oracles["oracles"]) == want
        for i in (1, 2, 3):
            v = read_key_file(tmp_path / "keys" / f"verifier-{i}.json")
            assert json.loads(c.query(f"/account/{v.bech32}").info)["roles"] == ["verifier"]
        sov = read_key_file(tmp_path / "keys" / "sovereign-br.json")
        assert json.loads(c.query(f"/sovereign/{sov.bech32}").info)["active"] is True
        listed = json.loads(c.query("/commodities").info)["commodities"]
        assert sorted(x["code"] for x in listed) == sorted(codes)
        brent = json.loads(c.query("/commodity/BRENT").info)
        assert brent["unit"] == "bbl" and brent["requirements"]["shipping"] >= 1
        assert all(q <= 3 for x in listed for q in x["requirements"].values())
    finally:
        c.app.close()

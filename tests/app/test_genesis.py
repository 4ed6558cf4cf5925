"""Genesis app_state: a bad one names the field and the problem; the localnet one works."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from app.crypto import read_key_file
from app.genesis import GenesisError, validate_app_state
from app.params import MAX_SUPPLY
from genesis.localnet import localnet_app_state
from tests.app.chain import ALICE, Chain, app_state


def _broken(change: Any) -> dict[str, Any]:
    doc = copy.deepcopy(app_state())
    change(doc)
    return doc


CASES = [
    (lambda d: d.pop("council"), "app_state.council", "missing"),
    (lambda d: d.update(extra=1), "app_state.extra", "unknown field"),
    (lambda d: d["council"].update(threshold=4), "app_state.council.threshold", "outside"),
    (lambda d: d["council"].update(threshold=0), "app_state.council.threshold", "outside"),
    (lambda d: d["council"].update(members=[]), "app_state.council.members", "at least one"),
    (lambda d: d["council"]["members"].append(d["council"]["members"][0]),
     "app_state.council.members[3]", "duplicate"),
    (lambda d: d["accounts"][0].update(balance="12.5"), "app_state.accounts[0].balance",
     "not a non-negative integer"),
    (lambda d: d["accounts"][0].update(balance=True), "app_state.accounts[0].balance",
     "integer"),
    (lambda d: d["accounts"][2].update(address="fic1qqq"), "app_state.accounts[2].address",
     "bech32"),
    (lambda d: d["accounts"].append(dict(d["accounts"][0])), "app_state.accounts[6].address",
     "duplicate"),
    (lambda d: d["accounts"][1].update(balance=str(MAX_SUPPLY)), "app_state.accounts[1].balance",
     "maximum"),
    (lambda d: d["entities"][0].update(jurisdiction="XX"), "app_state.entities[0].jurisdiction",
     "ISO 3166"),
    (lambda d: d["entities"][0].update(tier="none"), "app_state.entities[0].tier", "one of"),
    (lambda d: d["entities"][1].update(roles=["pilot"]), "app_state.entities[1].roles[0]",
     "unknown role"),
    (lambda d: d["params"].update(base_fee="-1"), "app_state.params.base_fee", "integer"),
    (lambda d: d["params"].update(max_multisend_outputs=0),
     "app_state.params.max_multisend_outputs", "1..1000"),
    (lambda d: d["params"].update(tier_limits={"none": "1"}), "app_state.params.tier_limits.basic",
     "missing"),
    (lambda d: d["params"].update(blocked_jurisdictions=["ZZ"]),
     "app_state.params.blocked_jurisdictions[0]", "ISO 3166"),
    (lambda d: d["treasury"].update(balance=str(MAX_SUPPLY + 1)), "app_state.treasury.balance",
     "outside"),
]


@pytest.mark.parametrize(("change", "path", "problem"), CASES)
def test_bad_genesis_names_field_and_problem(change: Any, path: str, problem: str) -> None:
    with pytest.raises(GenesisError) as e:
        validate_app_state(_broken(change))
    assert e.value.path == path
    assert problem in e.value.problem


def test_valid_genesis_sums_the_supply() -> None:
    gs = validate_app_state(app_state())
    assert gs.supply == gs.treasury + sum(gs.accounts.values())
    assert gs.accounts[ALICE.address] > 0 and gs.threshold == 2


def test_localnet_app_state_funds_a_faucet_whose_key_file_is_in_the_home(tmp_path: Path) -> None:
    doc = localnet_app_state(tmp_path, [b"\x01" * 32, b"\x02" * 32])
    gs = validate_app_state(json.loads(json.dumps(doc)))
    faucet = read_key_file(tmp_path / "keys" / "faucet.json")
    assert gs.accounts[faucet.address] > 0
    members = {read_key_file(tmp_path / "keys" / f"council-{i}.json").address for i in (1, 2, 3)}
    assert set(gs.council) == members and gs.threshold == 2
    assert len(gs.entities) >= 3
    # It boots a chain.
    c = Chain(tmp_path / "state", doc)
    c.finalize([])
    assert c.account(faucet).tier == 3  # corporate
    c.app.close()

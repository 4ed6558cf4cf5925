"""Every param at its bounds and one past them: accepted and refused, in genesis and by the
council's ``update_params``; a param at its bound can never make a later tx overflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from abci.proto import abci as pb
from app.errors import Code
from app.genesis import GenesisError, validate_app_state
from app.params import PARAM_BOUNDS, UNIT, default_params, params_problems
from app.pb import tx_pb2
from app.tx.builder import mint, propose, update_params, vote
from tests.app.chain import COUNCIL, Chain, app_state
from tests.app.test_gov import enact

U32 = {"max_multisend_outputs", "max_expiries_per_block", "oracle_max_deviation_bps",
       "oracle_max_age_rounds", "ft_conversion_rate_bps"}


def _genesis(name: str, value: int) -> dict[str, Any]:
    doc = app_state()
    doc["params"] = {name: str(value)}
    return doc


def _edges() -> list[tuple[str, int, bool]]:
    out = []
    for name, lo, hi in PARAM_BOUNDS:
        out += [(name, lo, True), (name, hi, True), (name, hi + 1, False)]
        if lo > 0:
            out.append((name, lo - 1, False))
    return out


@pytest.mark.parametrize(("name", "value", "ok"), _edges())
def test_genesis_bounds(name: str, value: int, ok: bool) -> None:
    if ok:
        assert getattr(validate_app_state(_genesis(name, value)).params, name) == value
    else:
        with pytest.raises(GenesisError) as e:
            validate_app_state(_genesis(name, value))
        assert e.value.path == f"app_state.params.{name}"


@pytest.mark.parametrize(("name", "value", "ok"), _edges())
def test_update_params_bounds(chain: Chain, name: str, value: int, ok: bool) -> None:
    if name in U32 and value >= 2**32:
        pytest.skip("does not fit the field")
    p = default_params()
    setattr(p, name, value)
    assert (not params_problems(p)) is ok
    res = chain.check(chain.tx(COUNCIL[0], propose(update_params(p))))
    if ok:
        assert res.code == 0, res.log
    else:
        assert res.code == Code.TX_INVALID and name in res.log


def test_the_longest_proposal_expiry_still_works(chain: Chain) -> None:
    # Once a ValueError out of range inside a consensus method (expiry near 2^64).
    p = params_of(chain)
    p.proposal_expiry_blocks = max(hi for n, _, hi in PARAM_BOUNDS
                                   if n == "proposal_expiry_blocks")
    enact(chain, update_params(p))
    res = chain.finalize([chain.tx(COUNCIL[0], propose(mint(UNIT)))])
    assert res.tx_results[0].code == 0, res.tx_results[0].log
    res = chain.finalize([chain.tx(COUNCIL[1], vote(2, True))])
    assert res.tx_results[0].code == 0


def params_of(chain: Chain) -> tx_pb2.Params:
    res = chain.query("/params")
    assert res.code == 0, res.log
    return tx_pb2.Params.FromString(res.value)


def test_a_proposal_that_overflows_is_refused_not_raised(tmp_path: Path) -> None:
    # A params record from before the bounds (written straight into a genesis overlay): a
    # proposal would compute an expiry past 2^64. The proposer leaves the tx out and a
    # validator refuses a block holding it; neither raises.
    c = Chain(tmp_path / "s")
    overlay = c.app._overlay()
    p = tx_pb2.Params.FromString(overlay.get("gov", b"params"))
    p.proposal_expiry_blocks = 2**64 - 1
    c.app._genesis["gov"] = [(k, v) for k, v in c.app._genesis["gov"] if k != b"params"]
    c.app._genesis["gov"].append((b"params", p.SerializeToString()))
    raw = c.tx(COUNCIL[0], propose(mint(UNIT)))
    assert c.process([raw]) == pb.ResponseProcessProposal.REJECT
    included, _ = c.propose([raw])
    assert included == []

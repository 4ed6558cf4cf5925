"""The test-only fault switch (app/node/testfaults.py): off unless asked for, refused on any
chain that is not a test chain, and its Byzantine txs are the ones they claim to be."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.errors import Code, TxError
from app.node import testfaults
from app.tx.cache import TxCache
from app.tx.codec import decode_tx


class _App:
    chain_id = "fictra-test"

    def prepare_proposal(self, req):  # pragma: no cover - replaced
        raise AssertionError


def _home(tmp_path: Path, chain_id: str) -> Path:
    (tmp_path / "config").mkdir(parents=True)
    (tmp_path / "config" / "genesis.json").write_text(json.dumps({"chain_id": chain_id}))
    return tmp_path


def test_no_variable_no_fault(tmp_path: Path) -> None:
    app = _App()
    honest = app.prepare_proposal
    assert testfaults.install(app, _home(tmp_path, "fictra-test"), {}) == []
    assert app.prepare_proposal == honest


def test_refused_on_a_chain_that_is_not_a_test_chain(tmp_path: Path) -> None:
    with pytest.raises(testfaults.FaultConfigError, match="not a test chain"):
        testfaults.install(_App(), _home(tmp_path, "fictra-mainnet"),
                           {testfaults.ENV: testfaults.BYZANTINE})


def test_unknown_fault_refused(tmp_path: Path) -> None:
    with pytest.raises(testfaults.FaultConfigError, match="unknown test faults"):
        testfaults.install(_App(), _home(tmp_path, "fictra-test"),
                           {testfaults.ENV: "byzantine"})


def test_switched_on_loudly(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = _App()
    honest = app.prepare_proposal
    faults = testfaults.install(app, _home(tmp_path, "fictra-test"),
                                {testfaults.ENV: testfaults.BYZANTINE})
    assert faults == [testfaults.BYZANTINE]
    assert app.prepare_proposal != honest
    assert any(r.levelname == "CRITICAL" and "TEST FAULT" in r.message for r in caplog.records)


@pytest.mark.parametrize("kind, code", [("bad-signature", Code.BAD_SIGNATURE),
                                        ("non-canonical", Code.TX_MALFORMED),
                                        ("oversized", Code.TX_TOO_LARGE)])
def test_attack_txs_refused_before_state(kind: str, code: int) -> None:
    raw = testfaults.attack_tx(kind, "fictra-test", 3)
    with pytest.raises(TxError) as e:
        TxCache("fictra-test", 10).get(raw)
    assert e.value.code == code


@pytest.mark.parametrize("kind", ["ante-refused", "execution-raises"])
def test_attack_txs_that_decode_and_verify(kind: str) -> None:
    raw = testfaults.attack_tx(kind, "fictra-test", 3)
    dtx = TxCache("fictra-test", 10).get(raw)
    assert (dtx.memo == testfaults.RAISE_MEMO) == (kind == "execution-raises")
    assert decode_tx(raw).hash == dtx.hash

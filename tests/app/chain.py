"""An in-process chain for tests: FictraApp on a real store in a temp dir, driven through the
same ABCI calls CometBFT makes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from abci.proto import abci as pb
from abci.proto import crypto_keys
from app.application import FictraApp
from app.crypto import Key
from app.modules import SHARDS
from app.params import UNIT
from app.pb import state_pb2
from app.tx.builder import build_signed, sign_tx
from state.store import Store

CHAIN_ID = "fictra-test"
BASE_FEE = 1_000
FEE_PER_BYTE = 10
VALIDATORS = [Key.derive(f"validator-{i}") for i in range(3)]
COUNCIL = [Key.derive(f"council-{i}") for i in range(3)]
ALICE, BOB, CAROL, DAVE = (Key.derive(n) for n in ("alice", "bob", "carol", "dave"))
TREASURY_START = 1_000_000 * UNIT


def app_state(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "params": {"base_fee": str(BASE_FEE), "fee_per_byte": str(FEE_PER_BYTE),
                   "proposal_expiry_blocks": "5", "max_multisend_outputs": 5},
        "council": {"members": [k.bech32 for k in COUNCIL], "threshold": 2},
        "treasury": {"balance": str(TREASURY_START)},
        "accounts": [
            {"address": ALICE.bech32, "balance": str(100_000 * UNIT)},
            {"address": BOB.bech32, "balance": str(50_000 * UNIT)},
            {"address": CAROL.bech32, "balance": str(10 * UNIT)},
            *({"address": k.bech32, "balance": str(100 * UNIT)} for k in COUNCIL),
        ],
        "entities": [
            {"address": ALICE.bech32, "tier": "corporate", "jurisdiction": "CH",
             "roles": ["trader"]},
            {"address": BOB.bech32, "tier": "basic", "jurisdiction": "SG", "roles": ["trader"]},
        ],
    }
    doc.update(overrides)
    return doc


class Chain:
    def __init__(self, path: Path, state: dict[str, Any] | None = None,
                 app_class: type[FictraApp] = FictraApp, **app_kwargs: Any) -> None:
        self.path = path
        self.app_class = app_class
        self.app_kwargs = app_kwargs
        self.store = Store.open(path, shards=SHARDS)
        self.app = app_class(self.store, **app_kwargs)
        self.nonces: dict[bytes, int] = {}
        self.time_s = 1_700_000_000
        if self.store.height == 0:
            self.app.init_chain(pb.RequestInitChain(
                chain_id=CHAIN_ID, initial_height=1,
                app_state_bytes=json.dumps(state or app_state()).encode(),
                validators=[pb.ValidatorUpdate(
                    pub_key=crypto_keys.PublicKey(ed25519=k.public_key), power=10)
                    for k in VALIDATORS],
            ))

    @property
    def height(self) -> int:
        return self.store.height

    def reopen(self) -> None:
        """Close and reopen the store and app (a restart)."""
        self.app.close()
        self.store = Store.open(self.path, shards=SHARDS)
        self.app = self.app_class(self.store, **self.app_kwargs)

    # -- txs -----------------------------------------------------------------------------------
    def tx(self, key: Key, *msgs: Any, nonce: int | None = None, fee: int | None = None,
           chain_id: str = CHAIN_ID, timeout_height: int = 0, memo: str = "") -> bytes:
        """Sign ``msgs``; by default with the next nonce this helper tracks and the minimum fee."""
        n = self.nonces.get(key.address, 0) if nonce is None else nonce
        if fee is None:
            raw = build_signed(key, chain_id, n, msgs, base_fee=BASE_FEE,
                               fee_per_byte=FEE_PER_BYTE, memo=memo,
                               timeout_height=timeout_height)
        else:
            raw = sign_tx(key, chain_id, n, msgs, fee=fee, memo=memo,
                          timeout_height=timeout_height)
        if nonce is None:
            self.nonces[key.address] = n + 1
        return raw

    def check(self, raw: bytes, recheck: bool = False) -> pb.ResponseCheckTx:
        kind = pb.CheckTxType.RECHECK if recheck else pb.CheckTxType.NEW
        return self.app.check_tx(pb.RequestCheckTx(tx=raw, type=kind))

    # -- blocks --------------------------------------------------------------------------------
    def _header(self) -> dict[str, Any]:
        self.time_s += 2
        return {"height": self.height + 1, "proposer_address": b"\x01" * 20,
                "time": {"seconds": self.time_s}}

    def finalize(self, txs: list[bytes]) -> pb.ResponseFinalizeBlock:
        """FinalizeBlock + Commit with exactly ``txs`` (as in a replay)."""
        res = self.app.finalize_block(pb.RequestFinalizeBlock(txs=txs, **self._header()))
        self.app.commit(pb.RequestCommit())
        return res

    def propose(self, txs: list[bytes], max_tx_bytes: int = 1 << 22
                ) -> tuple[list[bytes], pb.ResponseFinalizeBlock]:
        """The proposer's path: Prepare, Process, Finalize, Commit; returns (included, result)."""
        h = self._header()
        prep = self.app.prepare_proposal(
            pb.RequestPrepareProposal(txs=txs, max_tx_bytes=max_tx_bytes, **h))
        included = list(prep.txs)
        proc = self.app.process_proposal(pb.RequestProcessProposal(txs=included, **h))
        assert proc.status == pb.ResponseProcessProposal.ACCEPT
        res = self.app.finalize_block(pb.RequestFinalizeBlock(txs=included, **h))
        self.app.commit(pb.RequestCommit())
        return included, res

    def process(self, txs: list[bytes]) -> int:
        """ProcessProposal for the next height (no commit); returns the status."""
        h = self._header()
        self.time_s -= 2
        return self.app.process_proposal(pb.RequestProcessProposal(txs=txs, **h)).status

    # -- queries -------------------------------------------------------------------------------
    def query(self, path: str, height: int = 0, prove: bool = False) -> pb.ResponseQuery:
        return self.app.query(pb.RequestQuery(path=path, height=height, prove=prove))

    def account(self, key_or_addr: Any, height: int = 0) -> state_pb2.Account:
        addr = key_or_addr.bech32 if isinstance(key_or_addr, Key) else key_or_addr
        res = self.query(f"/account/{addr}", height)
        assert res.code == 0, res.log
        return state_pb2.Account.FromString(res.value)

    def balance(self, key: Key) -> int:
        return self.account(key).balance

    def supply(self) -> dict[str, Any]:
        return json.loads(self.query("/supply").info)

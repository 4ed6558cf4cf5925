"""INTERIM application, replaced by the ledger: accepts no transaction types.

It runs the whole block cycle so the node, localnet and crash contract can be exercised.
The app hash is an INTERIM hash chain over heights (H(prev_hash || height)), persisted at
Commit; the state store replaces it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from abci.application import Application
from abci.proto import abci as pb

CODE_UNKNOWN_TX = 2


class InterimApp(Application):
    def __init__(self, home: Path) -> None:
        self.path = Path(home) / "data" / "interim_app.json"
        self.height = 0
        self.app_hash = b""
        self._pending: tuple[int, bytes] | None = None
        if self.path.exists():
            saved = json.loads(self.path.read_text())
            self.height, self.app_hash = saved["height"], bytes.fromhex(saved["app_hash"])

    def info(self, req: pb.RequestInfo) -> pb.ResponseInfo:
        return pb.ResponseInfo(
            data="fictra (interim)", version="0.1.0", app_version=1,
            last_block_height=self.height, last_block_app_hash=self.app_hash,
        )

    def init_chain(self, req: pb.RequestInitChain) -> pb.ResponseInitChain:
        return pb.ResponseInitChain(app_hash=b"")

    def check_tx(self, req: pb.RequestCheckTx) -> pb.ResponseCheckTx:
        return pb.ResponseCheckTx(code=CODE_UNKNOWN_TX, log="unknown transaction type")

    def process_proposal(self, req: pb.RequestProcessProposal) -> pb.ResponseProcessProposal:
        status = pb.ResponseProcessProposal.REJECT if req.txs else pb.ResponseProcessProposal.ACCEPT
        return pb.ResponseProcessProposal(status=status)

    def finalize_block(self, req: pb.RequestFinalizeBlock) -> pb.ResponseFinalizeBlock:
        new_hash = hashlib.sha256(self.app_hash + req.height.to_bytes(8, "big")).digest()
        self._pending = (req.height, new_hash)
        results = [
            pb.ExecTxResult(code=CODE_UNKNOWN_TX, log="unknown transaction type") for _ in req.txs
        ]
        return pb.ResponseFinalizeBlock(tx_results=results, app_hash=new_hash)

    def commit(self, req: pb.RequestCommit) -> pb.ResponseCommit:
        if self._pending is None:
            raise RuntimeError("Commit without FinalizeBlock")
        self.height, self.app_hash = self._pending
        self._pending = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w") as f:
            json.dump({"height": self.height, "app_hash": self.app_hash.hex()}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        return pb.ResponseCommit()


def create_app(home: Path) -> Application:
    return InterimApp(home)

"""A small in-test application that records calls and answers deterministically."""

from __future__ import annotations

import hashlib

from abci.application import Application
from abci.proto import abci as pb


class RecordingApp(Application):
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.height = 0
        self.app_hash = b""
        self.fail_in: str | None = None

    def _rec(self, name: str) -> None:
        self.calls.append(name)
        if self.fail_in == name:
            raise RuntimeError(f"injected failure in {name}")

    def info(self, req: pb.RequestInfo) -> pb.ResponseInfo:
        self._rec("info")
        return pb.ResponseInfo(data="recording", version="9.9", last_block_height=self.height,
                               last_block_app_hash=self.app_hash)

    def check_tx(self, req: pb.RequestCheckTx) -> pb.ResponseCheckTx:
        self._rec("check_tx")
        if req.tx.startswith(b"bad"):
            return pb.ResponseCheckTx(code=7, log="bad prefix")
        return pb.ResponseCheckTx(code=0, data=req.tx[::-1], gas_wanted=len(req.tx))

    def query(self, req: pb.RequestQuery) -> pb.ResponseQuery:
        self._rec("query")
        return pb.ResponseQuery(code=0, key=req.data, value=req.data.upper(),
                                height=self.height, log=req.path)

    def process_proposal(self, req: pb.RequestProcessProposal) -> pb.ResponseProcessProposal:
        self._rec("process_proposal")
        ok = all(not tx.startswith(b"bad") for tx in req.txs)
        status = pb.ResponseProcessProposal.ACCEPT if ok else pb.ResponseProcessProposal.REJECT
        return pb.ResponseProcessProposal(status=status)

    def prepare_proposal(self, req: pb.RequestPrepareProposal) -> pb.ResponsePrepareProposal:
        self._rec("prepare_proposal")
        return super().prepare_proposal(req)

    def finalize_block(self, req: pb.RequestFinalizeBlock) -> pb.ResponseFinalizeBlock:
        self._rec("finalize_block")
        h = hashlib.sha256(self.app_hash + b"".join(req.txs)).digest()
        self._next = (req.height or self.height + 1, h)
        return pb.ResponseFinalizeBlock(
            tx_results=[pb.ExecTxResult(code=0, data=tx) for tx in req.txs], app_hash=h
        )

    def commit(self, req: pb.RequestCommit) -> pb.ResponseCommit:
        self._rec("commit")
        self.height, self.app_hash = self._next
        return pb.ResponseCommit(retain_height=0)

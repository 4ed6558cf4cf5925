"""The interface an ABCI 2.0 application implements, and a base that answers every method.

Methods take and return the generated ``tendermint.abci`` request and response messages.
The server calls them one at a time, in the order CometBFT sent them on each connection.
"""

from __future__ import annotations

from abci.proto import abci as pb

# CheckTx answers and FinalizeBlock ExecTxResult codes: 0 is OK; the app owns the rest.
OK = 0


class Application:
    """Default answers for every ABCI 2.0 request; subclasses override what they implement."""

    def close(self) -> None:
        """Release resources (the node calls this on a clean stop)."""

    # -- info/query connection -------------------------------------------------
    def info(self, req: pb.RequestInfo) -> pb.ResponseInfo:
        return pb.ResponseInfo()

    def query(self, req: pb.RequestQuery) -> pb.ResponseQuery:
        return pb.ResponseQuery(code=1, log="query not supported")

    # -- mempool connection -----------------------------------------------------
    def check_tx(self, req: pb.RequestCheckTx) -> pb.ResponseCheckTx:
        return pb.ResponseCheckTx(code=OK)

    def check_tx_batch(self, reqs: list[pb.RequestCheckTx]) -> list[pb.ResponseCheckTx]:
        """CheckTx for requests that arrived together; answers in the same order."""
        return [self.check_tx(r) for r in reqs]

    # -- consensus connection ---------------------------------------------------
    def init_chain(self, req: pb.RequestInitChain) -> pb.ResponseInitChain:
        return pb.ResponseInitChain()

    def prepare_proposal(self, req: pb.RequestPrepareProposal) -> pb.ResponsePrepareProposal:
        txs: list[bytes] = []
        size = 0
        for tx in req.txs:
            if size + len(tx) > req.max_tx_bytes:
                break
            txs.append(tx)
            size += len(tx)
        return pb.ResponsePrepareProposal(txs=txs)

    def process_proposal(self, req: pb.RequestProcessProposal) -> pb.ResponseProcessProposal:
        return pb.ResponseProcessProposal(status=pb.ResponseProcessProposal.ACCEPT)

    def extend_vote(self, req: pb.RequestExtendVote) -> pb.ResponseExtendVote:
        return pb.ResponseExtendVote(vote_extension=b"")

    def verify_vote_extension(
        self, req: pb.RequestVerifyVoteExtension
    ) -> pb.ResponseVerifyVoteExtension:
        return pb.ResponseVerifyVoteExtension(status=pb.ResponseVerifyVoteExtension.ACCEPT)

    def finalize_block(self, req: pb.RequestFinalizeBlock) -> pb.ResponseFinalizeBlock:
        return pb.ResponseFinalizeBlock(tx_results=[pb.ExecTxResult() for _ in req.txs])

    def commit(self, req: pb.RequestCommit) -> pb.ResponseCommit:
        return pb.ResponseCommit()

    # -- snapshot connection ----------------------------------------------------
    def list_snapshots(self, req: pb.RequestListSnapshots) -> pb.ResponseListSnapshots:
        return pb.ResponseListSnapshots()

    def offer_snapshot(self, req: pb.RequestOfferSnapshot) -> pb.ResponseOfferSnapshot:
        return pb.ResponseOfferSnapshot(result=pb.ResponseOfferSnapshot.REJECT)

    def load_snapshot_chunk(
        self, req: pb.RequestLoadSnapshotChunk
    ) -> pb.ResponseLoadSnapshotChunk:
        return pb.ResponseLoadSnapshotChunk()

    def apply_snapshot_chunk(
        self, req: pb.RequestApplySnapshotChunk
    ) -> pb.ResponseApplySnapshotChunk:
        return pb.ResponseApplySnapshotChunk(result=pb.ResponseApplySnapshotChunk.ABORT)

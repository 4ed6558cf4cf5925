"""The ABCI boundary: the application's neutral results encoded as CometBFT protobufs.

Domain code returns events, tx results, validator updates and query answers as plain values;
only this module (and ``app.application``) knows CometBFT's wire types.
"""

from __future__ import annotations

from collections.abc import Iterable

from abci.proto import abci as pb
from abci.proto import crypto_keys, crypto_proof
from app.block import BlockResult
from app.events import Event
from app.modules.stake import ValidatorUpdate
from app.query.answer import QueryAnswer
from app.tx.ante import TxResult

_Event = pb.Event
_Attr = pb.EventAttribute
_Exec = pb.ExecTxResult


def events(items: Iterable[Event]) -> list[pb.Event]:
    return [_Event(type=e.type, attributes=[_Attr(key=k, value=v, index=i)
                                            for k, v, i in e.attributes]) for e in items]


def tx_result(r: TxResult) -> pb.ExecTxResult:
    return _Exec(code=r.code, log=r.log, events=events(r.events))


def validator_updates(updates: Iterable[ValidatorUpdate]) -> list[pb.ValidatorUpdate]:
    return [pb.ValidatorUpdate(pub_key=crypto_keys.PublicKey(ed25519=u.pub_key), power=u.power)
            for u in updates]


def finalize_block(res: BlockResult) -> pb.ResponseFinalizeBlock:
    return pb.ResponseFinalizeBlock(
        events=events(res.events), tx_results=[tx_result(r) for r in res.tx_results],
        validator_updates=validator_updates(res.validator_updates), app_hash=res.app_hash,
    )


def query(a: QueryAnswer) -> pb.ResponseQuery:
    res = pb.ResponseQuery(code=a.code, log=a.log, key=a.key, value=a.value, height=a.height,
                           info=a.info)
    if a.proof_ops:
        res.proof_ops.CopyFrom(crypto_proof.ProofOps(ops=[
            crypto_proof.ProofOp(type=op.type, key=op.key, data=op.data) for op in a.proof_ops
        ]))
    return res

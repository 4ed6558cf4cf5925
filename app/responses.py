"""The ABCI boundary: the application's neutral results encoded as CometBFT protobufs.

Domain code returns events, tx results, validator updates and query answers as plain values;
only this module (and ``app.application``) knows CometBFT's wire types.

FinalizeBlock's tx results (thousands a block) are written as protobuf wire bytes directly,
without building a protobuf object per result, event and attribute: a fifth of the cost. The
bytes are those the protobuf library writes for the same message (tested), fields in order.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from abci.framing import encode_uvarint
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


def finalize_block(res: BlockResult) -> EncodedFinalizeBlock:
    head = pb.ResponseFinalizeBlock(events=events(res.events)).SerializeToString()
    tail = pb.ResponseFinalizeBlock(validator_updates=validator_updates(res.validator_updates),
                                    app_hash=res.app_hash).SerializeToString()
    results = b"".join([_TX_RESULTS_TAG + _delimited(encode_tx_result(r))
                        for r in res.tx_results])
    return EncodedFinalizeBlock(head + results + tail)  # fields 1, 2, then 3-5: in order


class EncodedFinalizeBlock:
    """A ResponseFinalizeBlock held as its wire bytes, which the ABCI server sends as they are.
    Reading a field decodes the bytes once (tests and tools read results; nodes do not)."""

    __slots__ = ("_data", "_message")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._message: pb.ResponseFinalizeBlock | None = None

    def SerializeToString(self, deterministic: bool = False) -> bytes:  # noqa: N802 - protobuf's
        return self._data

    def __eq__(self, other: object) -> bool:
        serialize = getattr(other, "SerializeToString", None)
        return serialize is not None and serialize() == self._data

    __hash__ = None  # type: ignore[assignment] - mutable like the message it stands for

    def __repr__(self) -> str:
        return f"EncodedFinalizeBlock({len(self._data)} bytes)"

    def __getattr__(self, name: str) -> Any:
        if name in self.__slots__:  # not set: a copy made without __init__
            raise AttributeError(name)
        if self._message is None:
            self._message = pb.ResponseFinalizeBlock.FromString(self._data)
        return getattr(self._message, name)


# -- protobuf wire format of ExecTxResult (code 1, log 3, events 7), Event (type 1,
# attributes 2) and EventAttribute (key 1, value 2, index 3); defaults are not written ------
_TX_RESULTS_TAG = b"\x12"  # ResponseFinalizeBlock.tx_results, field 2, length-delimited


_SMALL = [encode_uvarint(n) for n in range(1 << 14)]  # every length a tx result's part can have


def _delimited(data: bytes) -> bytes:
    n = len(data)
    return (_SMALL[n] if n < len(_SMALL) else encode_uvarint(n)) + data


def _encode_event(e: Event) -> bytes:
    parts = [b"\x0a" + _delimited(e.type.encode())] if e.type else []
    for key, value, indexed in e.attributes:
        attr = b"\x0a" + _delimited(key.encode()) if key else b""
        if value:
            attr += b"\x12" + _delimited(value.encode())
        if indexed:
            attr += b"\x18\x01"
        parts.append(b"\x12" + _delimited(attr))
    return b"".join(parts)


def encode_tx_result(r: TxResult) -> bytes:
    """``tx_result(r).SerializeToString()``, written directly."""
    out = b"\x08" + encode_uvarint(r.code) if r.code else b""
    if r.log:
        out += b"\x1a" + _delimited(r.log.encode())
    return out + b"".join([b"\x3a" + _delimited(_encode_event(e)) for e in r.events])


def query(a: QueryAnswer) -> pb.ResponseQuery:
    res = pb.ResponseQuery(code=a.code, log=a.log, key=a.key, value=a.value, height=a.height,
                           info=a.info)
    if a.proof_ops:
        res.proof_ops.CopyFrom(crypto_proof.ProofOps(ops=[
            crypto_proof.ProofOp(type=op.type, key=op.key, data=op.data) for op in a.proof_ops
        ]))
    return res

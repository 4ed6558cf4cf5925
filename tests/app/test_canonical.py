"""Every signed byte string has one meaning: TxBody, AuthInfo and every message must be the
canonical encoding, else code 1 — before any signature check and before any state is read.
Each case below is correctly signed, so only the encoding refuses it."""

from __future__ import annotations

import pytest

from abci.proto import abci as pb
from app.errors import Code, TxError
from app.pb import tx_pb2
from app.tx.builder import body_bytes, send
from app.tx.cache import TxCache
from app.tx.codec import decode_tx
from tests.app.chain import ALICE, BOB, CHAIN_ID, Chain

FEE = 10_000


def _signed(body: bytes, auth: bytes) -> bytes:
    doc = tx_pb2.SignDoc(body_bytes=body, auth_info_bytes=auth, chain_id=CHAIN_ID)
    sig = ALICE.sign(doc.SerializeToString())
    return tx_pb2.Tx(body_bytes=body, auth_info_bytes=auth, signature=sig).SerializeToString()


def _auth(nonce: int = 0, fee: int = FEE) -> bytes:
    return tx_pb2.AuthInfo(public_key=ALICE.public_key, nonce=nonce, fee=fee).SerializeToString()


BODY = body_bytes([send(BOB.address, 5)])
UNKNOWN = b"\xa0\x06\x01"  # field 100, varint 1: in no message of ours

CASES = {
    "body with an unknown field": (BODY + UNKNOWN, _auth()),
    "auth info with fee twice": (BODY, _auth() + tx_pb2.AuthInfo(fee=FEE + 1).SerializeToString()),
    "auth info with an unknown field": (BODY, _auth() + UNKNOWN),
    "auth info fields out of order": (
        BODY, tx_pb2.AuthInfo(fee=FEE).SerializeToString()
        + tx_pb2.AuthInfo(public_key=ALICE.public_key).SerializeToString()),
    "auth info with a default value written": (BODY, _auth() + b"\x10\x00"),  # nonce = 0
    "auth info with a long varint": (
        BODY, tx_pb2.AuthInfo(public_key=ALICE.public_key).SerializeToString()
        + b"\x18" + bytes([0x90 | 0x80, 0xCE, 0x80, 0x00])),
}


def _message_with_unknown_field() -> bytes:
    inner = tx_pb2.MsgSend(to=BOB.address, amount=5).SerializeToString() + UNKNOWN
    msg = b"\x0a" + bytes([len(inner)]) + inner  # Msg.send = field 1
    return b"\x0a" + bytes([len(msg)]) + msg  # TxBody.messages = field 1


CASES["message with an unknown field"] = (_message_with_unknown_field(), _auth())


def _unjail_with(extra: bytes) -> bytes:
    inner = extra  # MsgUnjail has no fields: anything in it is unknown
    msg = b"\xb2\x03" + bytes([len(inner)]) + inner  # Msg.unjail = field 54
    return b"\x0a" + bytes([len(msg)]) + msg


def _delegate_zero_amount() -> bytes:
    inner = tx_pb2.MsgDelegate(operator=BOB.address).SerializeToString() + b"\x10\x00"
    msg = b"\x9a\x03" + bytes([len(inner)]) + inner  # Msg.delegate = field 51
    return b"\x0a" + bytes([len(msg)]) + msg


CASES["unjail with an unknown field"] = (_unjail_with(UNKNOWN), _auth())
CASES["delegate with a default value written"] = (_delegate_zero_amount(), _auth())


@pytest.mark.parametrize("case", sorted(CASES))
def test_non_canonical_parts_are_code_1(case: str) -> None:
    body, auth = CASES[case]
    raw = _signed(body, auth)
    with pytest.raises(TxError) as e:
        decode_tx(raw)
    assert e.value.code == Code.TX_MALFORMED, e.value.log
    cache = TxCache(CHAIN_ID)
    with pytest.raises(TxError):
        cache.get(raw)
    assert cache.verifications == 0 and len(cache) == 0  # refused before the signature check


def test_the_canonical_form_of_the_same_tx_passes() -> None:
    dtx = decode_tx(_signed(BODY, _auth()))
    assert dtx.fee == FEE and dtx.nonce == 0


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_in_check_tx_and_in_a_proposal(chain: Chain, case: str) -> None:
    raw = _signed(*CASES[case])
    assert chain.check(raw).code == Code.TX_MALFORMED
    assert chain.process([raw]) == pb.ResponseProcessProposal.REJECT
    balance = chain.balance(ALICE)
    res = chain.finalize([raw])  # decided anyway (a replay): one result, nothing charged
    assert res.tx_results[0].code == Code.TX_MALFORMED
    assert chain.balance(ALICE) == balance and chain.account(ALICE).nonce == 0

"""FinalizeBlock's tx results written as wire bytes directly are the bytes the protobuf library
writes for the same message, for any result: codes up to 2^32, logs and values in any script,
empty keys and values (defaults, not written), indexed or not; the whole response too."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from abci.proto import abci as pb
from abci.proto import crypto_keys
from app import responses
from app.block import BlockKey, BlockResult
from app.events import Event
from app.modules.stake import ValidatorUpdate
from app.tx.ante import TxResult

_text = st.text(max_size=300)
_events = st.lists(st.builds(Event, _text, st.lists(
    st.tuples(_text, _text, st.booleans()), max_size=5).map(tuple)), max_size=4)
_results = st.builds(TxResult, st.integers(0, 2**32 - 1), _text, _events)


def _by_protobuf(res: BlockResult) -> bytes:
    return pb.ResponseFinalizeBlock(
        events=responses.events(res.events),
        tx_results=[responses.tx_result(r) for r in res.tx_results],
        validator_updates=[pb.ValidatorUpdate(
            pub_key=crypto_keys.PublicKey(ed25519=u.pub_key), power=u.power)
            for u in res.validator_updates],
        app_hash=res.app_hash).SerializeToString()


@settings(max_examples=300, deadline=None)
@given(_results)
def test_a_tx_result_is_the_protobuf_librarys_bytes(r: TxResult) -> None:
    assert responses.encode_tx_result(r) == responses.tx_result(r).SerializeToString()


@settings(max_examples=100, deadline=None)
@given(st.lists(_results, max_size=30), _events,
       st.lists(st.builds(ValidatorUpdate, st.binary(min_size=32, max_size=32),
                          st.integers(0, 2**62)), max_size=3),
       st.binary(max_size=32))
def test_the_whole_response_is_the_protobuf_librarys_bytes(
        results: list[TxResult], events: list[Event], updates: list[ValidatorUpdate],
        app_hash: bytes) -> None:
    res = BlockResult(BlockKey(1, 0, b"", ()), None, results, events, updates, app_hash)
    encoded = responses.finalize_block(res)
    assert encoded.SerializeToString() == _by_protobuf(res)
    assert [r.code for r in encoded.tx_results] == [r.code for r in results]  # fields read
    assert encoded.app_hash == app_hash and len(encoded.validator_updates) == len(updates)


def test_a_long_log_takes_a_multi_byte_length() -> None:
    r = TxResult(7, "x" * 20_000, (Event("e", (("k", "v" * 20_000, True),)),))
    assert responses.encode_tx_result(r) == responses.tx_result(r).SerializeToString()

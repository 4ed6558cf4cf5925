"""Parameter binding: positional or named, required, types, and the -32602 it answers."""

from __future__ import annotations

import base64

import pytest

from app.crypto import Key
from rpc.errors import INVALID_PARAMS, RpcError
from rpc.params import ADDRESS, HASH, HEIGHT, TX_BYTES, Param, bind

SPEC = (Param("address", ADDRESS), Param("height", HEIGHT, required=False))
ADDR = Key.derive("p").bech32


def test_positional_and_named_agree() -> None:
    a = bind([ADDR, 5], SPEC)
    b = bind({"height": "5", "address": ADDR}, SPEC)
    assert a == b == {"address": Key.derive("p").address, "height": 5}
    assert bind([ADDR], SPEC)["height"] is None


@pytest.mark.parametrize("params, param", [
    ([], "address"), ({}, "address"), ([ADDR, 1, 2], None), ({"address": ADDR, "x": 1}, "x"),
    (["fic1notanaddress"], "address"), ([ADDR.replace("fic", "cosmos")], "address"),
    ([42], "address"), ([ADDR, -1], "height"), ([ADDR, True], "height"),
    ([ADDR, "12a"], "height"), ([ADDR, 2**63], "height"), ("text", None),
])
def test_bad_params_answer_invalid_params(params: object, param: str | None) -> None:
    with pytest.raises(RpcError) as e:
        bind(params, SPEC)
    assert e.value.code == INVALID_PARAMS
    assert (e.value.data or {}).get("param") == param


def test_tx_bytes_hex_or_base64() -> None:
    raw = bytes(range(40))
    assert TX_BYTES.parse("0x" + raw.hex()) == raw
    assert TX_BYTES.parse(base64.b64encode(raw).decode()) == raw
    for bad in ("", "0xabc", "0xzz", "not base64!", 7):
        with pytest.raises(ValueError):
            TX_BYTES.parse(bad)


def test_hash() -> None:
    h = "AB" * 32
    assert HASH.parse(h) == bytes.fromhex(h) == HASH.parse("0x" + h.lower())
    for bad in ("AB" * 31, "G" * 64, None):
        with pytest.raises(ValueError):
            HASH.parse(bad)

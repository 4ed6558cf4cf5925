"""The ed25519 acceptance rules consensus relies on (PyNaCl's libsodium, pinned exactly): two
validators must agree on every signature, so the edge cases are fixed here. Refused: a
non-canonical S (S + L), small-order public keys and R, non-canonical point encodings, and the
trivial signature that would pass a cofactorless check under the identity key."""

from __future__ import annotations

import pytest

from app.crypto import Key, verify

L = 2**252 + 27742317777372353535851937790883648493
P = 2**255 - 19
IDENTITY = (1).to_bytes(32, "little")  # y = 1: the neutral point (order 1)
ORDER_4 = bytes(32)  # y = 0: a point of order 4
KEY = Key.derive("signature-rules")
MSG = b"fictra"
SIG = KEY.sign(MSG)
R, S = SIG[:32], int.from_bytes(SIG[32:], "little")


def test_a_valid_signature_verifies() -> None:
    assert verify(KEY.public_key, MSG, SIG)
    assert not verify(KEY.public_key, MSG + b"!", SIG)


@pytest.mark.parametrize(("case", "public_key", "signature"), [
    ("S + L (malleated, non-canonical S)", KEY.public_key, R + (S + L).to_bytes(32, "little")),
    ("S with the top bits set", KEY.public_key, R + (S | (0xE0 << 248)).to_bytes(32, "little")),
    ("identity public key, identity R, S = 0", IDENTITY, IDENTITY + bytes(32)),
    ("order-4 public key", ORDER_4, ORDER_4 + bytes(32)),
    ("small-order R", KEY.public_key, IDENTITY + SIG[32:]),
    ("non-canonical public key encoding (y >= p)", (P + 1).to_bytes(32, "little"),
     IDENTITY + bytes(32)),
    ("non-canonical R encoding (y >= p)", KEY.public_key, (P + 1).to_bytes(32, "little")
     + SIG[32:]),
])
def test_refused(case: str, public_key: bytes, signature: bytes) -> None:
    assert not verify(public_key, MSG, signature), case


def test_wrong_lengths_are_refused_not_raised() -> None:
    assert not verify(KEY.public_key[:31], MSG, SIG)
    assert not verify(KEY.public_key, MSG, SIG[:63])

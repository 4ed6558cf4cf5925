"""Keys, signatures and addresses: ed25519 through PyNaCl only.

An address is the first 20 bytes of SHA-256(public key), shown in bech32 with the prefix
``fic``. Module accounts (the treasury, later escrow and reserve) have addresses derived from
a name and no private key.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import bech32
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

HRP = "fic"
ADDRESS_LEN = 20
PUBKEY_LEN = 32
SIGNATURE_LEN = 64


def address_of(public_key: bytes) -> bytes:
    return hashlib.sha256(public_key).digest()[:ADDRESS_LEN]


def module_address(name: str) -> bytes:
    """The keyless address of a module account, e.g. ``module_address("treasury")``."""
    return hashlib.sha256(b"fictra/module/" + name.encode()).digest()[:ADDRESS_LEN]


def to_bech32(address: bytes) -> str:
    if len(address) != ADDRESS_LEN:
        raise ValueError(f"address must be {ADDRESS_LEN} bytes, got {len(address)}")
    return bech32.bech32_encode(HRP, bech32.convertbits(address, 8, 5))


def from_bech32(text: str) -> bytes:
    """Parse a ``fic1...`` address; ValueError names what is wrong."""
    hrp, data = bech32.bech32_decode(text)
    if hrp is None or data is None:
        raise ValueError(f"not a bech32 address: {text!r}")
    if hrp != HRP:
        raise ValueError(f"address prefix is {hrp!r}, expected {HRP!r}")
    raw = bech32.convertbits(data, 5, 8, False)
    if raw is None or len(raw) != ADDRESS_LEN:
        raise ValueError(f"address must decode to {ADDRESS_LEN} bytes: {text!r}")
    return bytes(raw)


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True iff ``signature`` is a valid ed25519 signature of ``message`` (strict, libsodium)."""
    if len(public_key) != PUBKEY_LEN or len(signature) != SIGNATURE_LEN:
        return False
    try:
        VerifyKey(public_key).verify(message, signature)
    except (BadSignatureError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Key:
    """An ed25519 key pair with its address."""

    signing_key: SigningKey

    @classmethod
    def generate(cls) -> Key:
        return cls(SigningKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Key:
        return cls(SigningKey(seed))

    @classmethod
    def derive(cls, label: str) -> Key:
        """Deterministic key from a label, for tests and benchmarks only."""
        return cls(SigningKey(hashlib.sha256(b"fictra/test-key/" + label.encode()).digest()))

    @property
    def public_key(self) -> bytes:
        return bytes(self.signing_key.verify_key)

    @property
    def seed(self) -> bytes:
        return bytes(self.signing_key)

    @property
    def address(self) -> bytes:
        return address_of(self.public_key)

    @property
    def bech32(self) -> str:
        return to_bech32(self.address)

    def sign(self, message: bytes) -> bytes:
        return self.signing_key.sign(message).signature


def write_key_file(path: Path, name: str, key: Key) -> None:
    """Write an UNENCRYPTED key file (localnet and tests only), readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "name": name,
        "address": key.bech32,
        "public_key": key.public_key.hex(),
        "private_key": key.seed.hex(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def read_key_file(path: Path) -> Key:
    """Read a key file written by ``write_key_file``; ValueError if it does not hold together."""
    doc = json.loads(Path(path).read_text())
    try:
        key = Key.from_seed(bytes.fromhex(doc["private_key"]))
    except (KeyError, ValueError, TypeError) as e:
        raise ValueError(f"{path}: bad key file: {e}") from e
    if "address" in doc and doc["address"] != key.bech32:
        raise ValueError(f"{path}: address does not match the private key")
    return key

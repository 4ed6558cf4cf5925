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


def consensus_address(public_key: bytes) -> bytes:
    """CometBFT's address of an ed25519 validator key (as in votes and evidence): the same
    SHA-256 prefix as an account's."""
    return hashlib.sha256(public_key).digest()[:ADDRESS_LEN]


def module_address(name: str) -> bytes:
    """The keyless address of a module account, e.g. ``module_address("treasury")``."""
    return hashlib.sha256(b"fictra/module/" + name.encode()).digest()[:ADDRESS_LEN]


# Encoding addresses is on the hot path (events name them), and the bech32 package's generic
# encoder costs ~20 us. This BIP-173 checksum for 20-byte data runs two 5-bit steps per table
# lookup, and recent results are cached. Decoding stays with the package; tests compare both.
_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_M25 = 0x1FFFFFF
_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _step(chk: int, value: int) -> int:
    top = chk >> 25
    chk = ((chk & _M25) << 5) ^ value
    for i, g in enumerate(_GEN):
        if top >> i & 1:
            chk ^= g
    return chk


# The checksum step is linear over GF(2): two steps map bits 20-29 through this table and
# shift the rest (plus the two input symbols) up by 10.
_TABLE2 = tuple(_step(_step(top << 20, 0), 0) for top in range(1024))
_HRP_STATE = 1
for _v in [ord(c) >> 5 for c in HRP] + [0] + [ord(c) & 31 for c in HRP]:
    _HRP_STATE = _step(_HRP_STATE, _v)
_SHIFTS = tuple(range(150, -1, -10))  # 16 ten-bit pairs of a 160-bit address
_PAIRS = tuple(_CHARSET[i >> 5] + _CHARSET[i & 31] for i in range(1024))
_CACHE: dict[bytes, str] = {}
_CACHE_MAX = 1 << 16


def to_bech32(address: bytes) -> str:
    text = _CACHE.get(address)
    if text is not None:
        return text
    if len(address) != ADDRESS_LEN:
        raise ValueError(f"address must be {ADDRESS_LEN} bytes, got {len(address)}")
    n = int.from_bytes(address, "big")
    chk = _HRP_STATE
    table = _TABLE2
    for s in _SHIFTS:
        chk = ((chk & 0xFFFFF) << 10) ^ ((n >> s) & 1023) ^ table[chk >> 20]
    for _ in range(3):  # six zero symbols
        chk = ((chk & 0xFFFFF) << 10) ^ table[chk >> 20]
    n = (n << 30) | (chk ^ 1)
    pairs = _PAIRS
    text = HRP + "1" + "".join([pairs[(n >> s) & 1023] for s in range(180, -1, -10)])
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[address] = text
    return text


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
        what = f"no {e}" if isinstance(e, KeyError) else str(e)
        raise ValueError(f"not a key file ({what})") from e
    if "address" in doc and doc["address"] != key.bech32:
        raise ValueError("its address does not match its private key")
    return key

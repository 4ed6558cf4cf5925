"""Encrypted key files: round trip, wrong passphrase, tampering, names, permissions."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from app.crypto import Key, write_key_file
from rpc.keystore import Keyring, KeystoreError, WrongPassphrase, decrypt, read_plain


def test_round_trip_and_listing(tmp_path: Path) -> None:
    ring = Keyring(tmp_path / "ring")
    key = Key.generate()
    path = ring.add("alice", key, "pass phrase 1")
    assert ring.names() == ["alice"]
    assert ring.info("alice")["address"] == key.bech32
    assert ring.load("alice", "pass phrase 1").seed == key.seed
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert key.seed.hex() not in text  # the private key is not in the file in the clear


def test_wrong_passphrase(tmp_path: Path) -> None:
    ring = Keyring(tmp_path)
    ring.add("bob", Key.generate(), "right")
    with pytest.raises(WrongPassphrase):
        ring.load("bob", "wrong")


def test_tampering_is_detected(tmp_path: Path) -> None:
    ring = Keyring(tmp_path)
    ring.add("carol", Key.generate(), "pw")
    doc = ring.read("carol")
    other = Key.generate()
    relabelled = {**doc, "address": other.bech32, "public_key": other.public_key.hex()}
    with pytest.raises(WrongPassphrase):  # address and public key are bound to the ciphertext
        decrypt(relabelled, "pw")
    flipped = json.loads(json.dumps(doc))
    ct = bytearray(bytes.fromhex(flipped["crypto"]["ciphertext"]))
    ct[0] ^= 1
    flipped["crypto"]["ciphertext"] = ct.hex()
    with pytest.raises(WrongPassphrase):
        decrypt(flipped, "pw")
    with pytest.raises(KeystoreError):
        decrypt({"version": 1, "crypto": {}}, "pw")


def test_names_and_duplicates(tmp_path: Path) -> None:
    ring = Keyring(tmp_path)
    for bad in ("", "../x", "a/b", ".hidden", "x" * 65):
        with pytest.raises(KeystoreError):
            ring.path(bad)
    ring.add("dup", Key.generate(), "pw")
    with pytest.raises(KeystoreError, match="already exists"):
        ring.add("dup", Key.generate(), "pw")
    with pytest.raises(KeystoreError, match="no key"):
        ring.read("missing")


def test_imported_file_keeps_working_under_a_new_name(tmp_path: Path) -> None:
    ring = Keyring(tmp_path / "a")
    key = Key.generate()
    ring.add("orig", key, "pw")
    other = Keyring(tmp_path / "b")
    other.write("renamed", ring.read("orig"))
    assert other.load("renamed", "pw").bech32 == key.bech32


def test_plain_localnet_key_file(tmp_path: Path) -> None:
    key = Key.generate()
    write_key_file(tmp_path / "faucet.json", "faucet", key)
    assert read_plain(tmp_path / "faucet.json").bech32 == key.bech32
    (tmp_path / "bad.json").write_text('{"private_key": "zz"}')
    with pytest.raises(KeystoreError):
        read_plain(tmp_path / "bad.json")

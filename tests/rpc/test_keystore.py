"""Encrypted key files: round trip, wrong passphrase, tampering, names, permissions."""

from __future__ import annotations

import json
import os
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
    ring.add("bob", Key.generate(), "right passphrase")
    with pytest.raises(WrongPassphrase):
        ring.load("bob", "wrong passphrase")


def test_tampering_is_detected(tmp_path: Path) -> None:
    ring = Keyring(tmp_path)
    ring.add("carol", Key.generate(), "pass-word")
    doc = ring.read("carol")
    other = Key.generate()
    relabelled = {**doc, "address": other.bech32, "public_key": other.public_key.hex()}
    with pytest.raises(WrongPassphrase):  # address and public key are bound to the ciphertext
        decrypt(relabelled, "pass-word")
    flipped = json.loads(json.dumps(doc))
    ct = bytearray(bytes.fromhex(flipped["crypto"]["ciphertext"]))
    ct[0] ^= 1
    flipped["crypto"]["ciphertext"] = ct.hex()
    with pytest.raises(WrongPassphrase):
        decrypt(flipped, "pass-word")
    with pytest.raises(KeystoreError):
        decrypt({"version": 1, "crypto": {}}, "pass-word")


def test_names_and_duplicates(tmp_path: Path) -> None:
    ring = Keyring(tmp_path)
    for bad in ("", "../x", "a/b", ".hidden", "x" * 65):
        with pytest.raises(KeystoreError):
            ring.path(bad)
    ring.add("dup", Key.generate(), "pass-word")
    with pytest.raises(KeystoreError, match="already exists"):
        ring.add("dup", Key.generate(), "pass-word")
    with pytest.raises(KeystoreError, match="no key"):
        ring.read("missing")


def test_imported_file_keeps_working_under_a_new_name(tmp_path: Path) -> None:
    ring = Keyring(tmp_path / "a")
    key = Key.generate()
    ring.add("orig", key, "pass-word")
    other = Keyring(tmp_path / "b")
    other.write("renamed", ring.read("orig"))
    assert other.load("renamed", "pass-word").bech32 == key.bech32


def test_plain_localnet_key_file(tmp_path: Path) -> None:
    key = Key.generate()
    write_key_file(tmp_path / "faucet.json", "faucet", key)
    assert read_plain(tmp_path / "faucet.json").bech32 == key.bech32
    (tmp_path / "bad.json").write_text('{"private_key": "zz"}')
    with pytest.raises(KeystoreError):
        read_plain(tmp_path / "bad.json")


def test_a_key_file_cannot_demand_any_kdf_cost(tmp_path: Path) -> None:
    ring = Keyring(tmp_path)
    ring.add("eve", Key.generate(), "pass-word")
    doc = ring.read("eve")
    for field, value in (("memlimit", 64 << 30), ("opslimit", 10**6), ("memlimit", 1)):
        crafted = {**doc, "crypto": {**doc["crypto"], field: value}}
        with pytest.raises(KeystoreError, match="accepted"):
            decrypt(crafted, "pass-word")


def test_a_short_passphrase_is_refused_wherever_it_comes_from(tmp_path: Path) -> None:
    with pytest.raises(KeystoreError, match="at least 8"):
        Keyring(tmp_path).add("short", Key.generate(), "1234567")
    assert not (tmp_path / "short.json").exists()


def test_the_keyring_directory_is_private_whatever_made_it(tmp_path: Path) -> None:
    (tmp_path / "ring").mkdir(mode=0o755)  # made by hand, or by a tool under umask 022
    os.chmod(tmp_path / "ring", 0o755)
    Keyring(tmp_path / "ring").add("k", Key.generate(), "pass-word")
    assert stat.S_IMODE((tmp_path / "ring").stat().st_mode) == 0o700

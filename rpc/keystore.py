"""Encrypted key files: one JSON file per key in a keyring directory.

The private key (the 32-byte ed25519 seed) is sealed with XChaCha20-Poly1305 under a key
derived from the passphrase by Argon2id (memory-hard: 64 MiB and 3 passes per attempt), both
from PyNaCl/libsodium. The name, address and public key stay readable (``keys list`` needs no
passphrase); address and public key are bound to the ciphertext as associated data, so
editing them breaks decryption instead of mislabelling a key::

    {"version": 1, "name": "alice", "address": "fic1...", "public_key": "<hex>",
     "crypto": {"kdf": "argon2id", "opslimit": 3, "memlimit": 67108864, "salt": "<hex>",
                "cipher": "xchacha20poly1305-ietf", "nonce": "<hex>", "ciphertext": "<hex>"}}
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from nacl import bindings, pwhash, utils
from nacl.exceptions import CryptoError

from app.crypto import Key, read_key_file

VERSION = 1
OPSLIMIT = 3
MEMLIMIT = 64 * 1024 * 1024
# What a key file may ask of the KDF: a crafted file must not make decryption take any amount
# of memory or time. Files this keystore writes use OPSLIMIT and MEMLIMIT.
MAX_OPSLIMIT = 10
MAX_MEMLIMIT = 1024 * 1024 * 1024
MIN_PASSPHRASE = 8
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class KeystoreError(Exception):
    """A key file is missing, malformed, or a name is taken or invalid."""


class WrongPassphrase(KeystoreError):
    pass


def _aad(doc: dict[str, Any]) -> bytes:
    # The name is only a label (import may rename a key); address and public key are bound.
    return f"fictra-keystore-v{VERSION}|{doc['address']}|{doc['public_key']}".encode()


def check_passphrase(passphrase: str) -> None:
    """A new key's passphrase (from a prompt or FICTRA_PASSPHRASE alike)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeystoreError(f"the passphrase must have at least {MIN_PASSPHRASE} characters")


def encrypt(name: str, key: Key, passphrase: str) -> dict[str, Any]:
    check_passphrase(passphrase)
    salt = utils.random(pwhash.argon2id.SALTBYTES)
    secret = pwhash.argon2id.kdf(32, passphrase.encode(), salt, opslimit=OPSLIMIT,
                                 memlimit=MEMLIMIT)
    nonce = utils.random(bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    doc: dict[str, Any] = {"version": VERSION, "name": name, "address": key.bech32,
                           "public_key": key.public_key.hex()}
    sealed = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(key.seed, _aad(doc), nonce,
                                                                  secret)
    doc["crypto"] = {"kdf": "argon2id", "opslimit": OPSLIMIT, "memlimit": MEMLIMIT,
                     "salt": salt.hex(), "cipher": "xchacha20poly1305-ietf",
                     "nonce": nonce.hex(), "ciphertext": sealed.hex()}
    return doc


def decrypt(doc: dict[str, Any], passphrase: str) -> Key:
    try:
        c = doc["crypto"]
        if doc.get("version") != VERSION or c["kdf"] != "argon2id" \
                or c["cipher"] != "xchacha20poly1305-ietf":
            raise KeystoreError(f"unsupported key file format (version {doc.get('version')})")
        ops, mem = int(c["opslimit"]), int(c["memlimit"])
        if not (pwhash.argon2id.OPSLIMIT_MIN <= ops <= MAX_OPSLIMIT
                and pwhash.argon2id.MEMLIMIT_MIN <= mem <= MAX_MEMLIMIT):
            raise KeystoreError(f"key file asks for Argon2id opslimit {ops}, memlimit {mem}: "
                                f"at most {MAX_OPSLIMIT} and {MAX_MEMLIMIT} are accepted")
        secret = pwhash.argon2id.kdf(32, passphrase.encode(), bytes.fromhex(c["salt"]),
                                     opslimit=ops, memlimit=mem)
        aad = _aad(doc)
        nonce, sealed = bytes.fromhex(c["nonce"]), bytes.fromhex(c["ciphertext"])
    except (KeyError, TypeError, ValueError) as e:
        raise KeystoreError(f"malformed key file: {e}") from None
    try:
        seed = bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(sealed, aad, nonce, secret)
    except CryptoError:
        raise WrongPassphrase("wrong passphrase (or the key file was altered)") from None
    key = Key.from_seed(seed)
    if key.bech32 != doc["address"]:
        raise KeystoreError("key file address does not match its private key")
    return key


def is_encrypted(doc: Any) -> bool:
    return isinstance(doc, dict) and "crypto" in doc


class Keyring:
    """A directory of encrypted key files ``<name>.json`` (created 0700, files 0600)."""

    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)

    def path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise KeystoreError(f"invalid key name {name!r}: letters, digits, . _ - "
                                "(at most 64, starting with a letter or digit)")
        return self.dir / f"{name}.json"

    def names(self) -> list[str]:
        if not self.dir.is_dir():
            return []
        return sorted(p.stem for p in self.dir.glob("*.json") if _NAME.match(p.stem))

    def exists(self, name: str) -> bool:
        return self.path(name).exists()

    def read(self, name: str) -> dict[str, Any]:
        path = self.path(name)
        try:
            doc = json.loads(path.read_text())
        except FileNotFoundError:
            raise KeystoreError(f"no key named {name!r} in {self.dir}") from None
        except OSError as e:
            raise KeystoreError(f"{path}: {e.strerror or e}") from None
        except ValueError as e:
            raise KeystoreError(f"{path}: not JSON ({e})") from None
        if not is_encrypted(doc):
            raise KeystoreError(f"{path} is not an encrypted key file")
        return doc

    def info(self, name: str) -> dict[str, str]:
        doc = self.read(name)
        return {"name": name, "address": doc["address"], "public_key": doc["public_key"]}

    def write(self, name: str, doc: dict[str, Any], overwrite: bool = False) -> Path:
        path = self.path(name)
        if path.exists() and not overwrite:
            raise KeystoreError(f"a key named {name!r} already exists in {self.dir}")
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.dir, 0o700)  # mkdir's mode is filtered by the umask
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({**doc, "name": name}, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
        return path

    def add(self, name: str, key: Key, passphrase: str) -> Path:
        self.path(name)  # validates the name before the slow KDF
        if self.exists(name):
            raise KeystoreError(f"a key named {name!r} already exists in {self.dir}")
        return self.write(name, encrypt(name, key, passphrase))

    def load(self, name: str, passphrase: str) -> Key:
        return decrypt(self.read(name), passphrase)


def read_plain(path: Path) -> Key:
    """An UNENCRYPTED key file (the localnet's ``keys/*.json``)."""
    try:
        return read_key_file(path)
    except FileNotFoundError:
        raise KeystoreError(f"{path}: no such file") from None
    except OSError as e:
        raise KeystoreError(f"{path}: {e.strerror or e}") from None
    except json.JSONDecodeError as e:
        raise KeystoreError(f"{path}: not JSON ({e.msg}, line {e.lineno})") from None
    except (ValueError, KeyError, TypeError) as e:
        raise KeystoreError(f"{path}: {e}") from None

"""The byte formats did not move when the shard list became a parameter: with the
application's list, in its order, a fixed workload gives the app hashes, write-ahead record,
snapshot and proofs that the store produced when it still hard-coded that list.

The golden values below were computed with the store as of commit ab2ab50 (before the
change, ``Store.open(path, keep_recent=3)``); a mismatch means app hashes or on-disk/wire
formats changed, which would fork a running chain or strand its state.
"""

from __future__ import annotations

from hashlib import sha256
from pathlib import Path

import pytest

import state.snapformat as snapformat
from state.proof import verify_proof
from state.snapshot import Restore
from state.store import Store

APP_SHARDS = ("pt", "ft", "trade", "oracle", "gov")  # the application's list, in its order

GOLDEN_APP_HASHES = {
    1: "e46a700cde13ae2cdebb2c265c14bd3326337f10b8346913d37a38e456c41205",
    2: "77af682cd8abe0057e97c71b5a1d0c10b2ccb58d51f20f735ee159b90ead12bc",
    3: "85a835f8d0dc9633984b22f932afd588bcbdf847cbebce31596c5a276d413391",
    4: "fc834aef10633cfc828c3971df4022c0648d84ccc643059739b7b7a7934049e8",
    5: "d848f4dacdc59cb8cc865d0ba27337cae6cd61e23bcbf1692c997571f6187c27",
}
GOLDEN_ROOTS = {
    "pt": "309d0be817799fabb5242ccd3518a69f8ffaacc54de435351c84d195dfda5f29",
    "ft": "5830ee477def9e0d84f15261405d5a9d95fe20da11334363380c9ce6d02c61eb",
    "trade": "b04f358b42c31953ff9ef8b5c37cef90764be0a9e116c2d8e2ae783f7cdebe4b",
    "oracle": "500ece20fce2feab18bb8d4d3c593d1ea6b1a787307d7668dde1f0f2a8dd0cd7",
    "gov": "5bad568cc08dd874e27d22ee936fbae91053df9712a0a95d12912ce610cb8f2c",
}
GOLDEN_WAL = "e79fe683975f91bac1abd12c7f5e7ffa95734290aa6e3d5b0e42a1679f9682d0"
# snapshot at height 5 with TARGET_LEAVES = 8, CHUNK_MAX = 4000: chunks, hash (of the
# manifest), sha256 of the metadata, sha256 of the concatenated hex sha256 of each chunk
GOLDEN_SNAPSHOT = (
    12,
    "1055201ddcfa3a2cc07ff853dab85a0e9773430742fce9a1788b4bc24e486ecc",
    "cf7a78be58167043b8f18cc22ee1c0f1f12d0d14446dfa190a68e554266c64d0",
    "692199aa613d2cb7529427760989ac0e05549a6b8df6a6e0e216af8cdb560cd1",
)
# (type, key hex, sha256 of data) of each op
GOLDEN_PROOF_PRESENT = [
    ("fictra:smt", "74726164652f30303035",
     "45af3f0765159d24876746cc48a2c6607b3fcb18980c939f3eb9e762956e368a"),
    ("fictra:app", "7472616465",
     "9505a6af06f7eb26b4ef626e70ed62d110708442d069d6f4ccc8bbb3c6865bd6"),
]
GOLDEN_PROOF_ABSENT = [
    ("fictra:smt", "616273656e74",
     "aa64e9237e162dd1192ef3754c733d9469ad1b5bbf55a44459b7f971a7727bf2"),
    ("fictra:app", "676f76",
     "2a3be4898bb2c11b745088066504ae160db48410ba09cbd72d3fa281aa02a389"),
]


def _workload(h: int) -> list[tuple[str, bytes, bytes | None]]:
    """Every shard, updates and deletes; "trade" gets enough keys for pages and buckets."""
    out: list[tuple[str, bytes, bytes | None]] = []
    for s in APP_SHARDS:
        n = 700 if s == "trade" else 30
        for j in range(n):
            k = b"%s/%04d" % (s.encode(), (j * 13 + h * 7) % (n + 50))
            v = None if (j + h) % 11 == 0 else sha256(
                b"%d-%d-%s" % (h, j, s.encode())).digest()[: 1 + (j % 40)]
            out.append((s, k, v))
    return out


def _digest(b: bytes) -> str:
    return sha256(b).hexdigest()


def _summary(ops) -> list[tuple[str, str, str]]:
    return [(o.type, o.key.hex(), _digest(o.data)) for o in ops]


def test_formats_match_the_golden_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(tmp_path / "s", shards=APP_SHARDS, keep_recent=3)
    try:
        for h in range(1, 6):
            ov = store.overlay()
            for s, k, v in _workload(h):
                if v is None:
                    ov.delete(s, k)
                else:
                    ov.set(s, k, v)
            assert store.commit(ov, h).hex() == GOLDEN_APP_HASHES[h], h
        assert {s: r.hex() for s, r in store.shard_roots().items()} == GOLDEN_ROOTS
        assert _digest((tmp_path / "s" / "commit.wal").read_bytes()) == GOLDEN_WAL

        value, ops = store.prove("trade", b"trade/0005")
        assert value is not None and _summary(ops) == GOLDEN_PROOF_PRESENT
        verify_proof(ops, store.app_hash, "trade", b"trade/0005", value)
        value, ops = store.prove("gov", b"absent", 4)
        assert value is None and _summary(ops) == GOLDEN_PROOF_ABSENT
        verify_proof(ops, bytes.fromhex(GOLDEN_APP_HASHES[4]), "gov", b"absent", None)

        monkeypatch.setattr(snapformat, "TARGET_LEAVES", 8)
        monkeypatch.setattr(snapformat, "CHUNK_MAX", 4000)
        info = store.export_snapshot(tmp_path / "e")
        chunks = [(tmp_path / "e" / str(i)).read_bytes() for i in range(info.chunks)]
        assert (info.chunks, info.hash.hex(), _digest(info.metadata),
                _digest(b"".join(_digest(c).encode() for c in chunks))) == GOLDEN_SNAPSHOT
        app_hash = store.app_hash
    finally:
        store.close()

    restore = Restore(tmp_path / "r", shards=APP_SHARDS)
    assert restore.offer(info.height, info.format, info.chunks, info.hash, info.metadata,
                         app_hash).ok
    for i, chunk in enumerate(chunks):
        assert restore.apply_chunk(i, chunk).ok
    restored = restore.finish()
    try:
        assert restored.app_hash.hex() == GOLDEN_APP_HASHES[5]
    finally:
        restored.close()

"""state/ works in a process where the ABCI package (and its generated protobuf) cannot be
imported: every module imports, and a store opens, commits, proves, verifies and exports.
(Which packages state/ may import, and that it has no import circles, is checked with the
rest of the product's boundaries in tests/test_layout.py.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / "state"
MODULES = sorted(p.stem for p in STATE.glob("*.py") if p.stem != "__init__")


def test_every_module_imports_and_runs_without_abci(tmp_path: Path) -> None:
    code = f"""
import importlib, sys
sys.modules["abci"] = None  # any import of abci (or abci.proto) now raises ImportError
for name in {MODULES!r}:
    importlib.import_module("state." + name)
from state.proof import verify_proof
from state.store import Store
store = Store.open({str(tmp_path / "s")!r}, shards=("a", "b"))
ov = store.overlay()
ov.set("a", b"k", b"v")
store.commit(ov, 1)
value, ops = store.prove("a", b"k")
verify_proof(ops, store.app_hash, "a", b"k", value)
store.export_snapshot({str(tmp_path / "snap")!r})
store.close()
leaked = sorted(m for m, mod in sys.modules.items()
                if mod is not None and m.split(".")[0] in ("abci", "google", "tendermint"))
assert not leaked, leaked
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"

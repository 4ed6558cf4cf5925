"""state/ knows bytes, versions and hashes, nothing of the wire: it imports only the
standard library, plyvel and itself, at module level, with no import circles; and it works
in a process where the ABCI package (and its generated protobuf) cannot be imported."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / "state"
MODULES = sorted(p.stem for p in STATE.glob("*.py") if p.stem != "__init__")


def _imports(path: Path) -> tuple[set[str], set[str], list[int]]:
    """(state modules, other top-level packages, lines of imports not at module level)."""
    tree = ast.parse(path.read_text())
    local, other, nested = set(), set(), []
    top = set(map(id, tree.body))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if id(node) not in top:
            nested.append(node.lineno)
        if isinstance(node, ast.ImportFrom) and node.level:
            local |= {node.module} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.module and node.module.startswith("state."):
                local.add(node.module.split(".")[1])
            elif node.module != "__future__":
                other.add(node.module.split(".")[0])  # type: ignore[union-attr]
        else:
            other |= {a.name.split(".")[0] for a in node.names}
    return local, other, nested


def test_imports_are_stdlib_plyvel_and_state_at_module_level_only() -> None:
    allowed = set(sys.stdlib_module_names) | {"plyvel", "state"}
    for name in MODULES:
        _, other, nested = _imports(STATE / f"{name}.py")
        assert other <= allowed, f"state/{name}.py imports {sorted(other - allowed)}"
        assert not nested, f"state/{name}.py imports below module level at lines {nested}"


def test_no_import_circles() -> None:
    graph = {name: _imports(STATE / f"{name}.py")[0] for name in MODULES}
    done: set[str] = set()

    def visit(name: str, chain: list[str]) -> None:
        assert name not in chain, "import circle: " + " -> ".join([*chain, name])
        if name in done:
            return
        for dep in sorted(graph.get(name, ())):
            visit(dep, [*chain, name])
        done.add(name)

    for name in MODULES:
        visit(name, [])


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

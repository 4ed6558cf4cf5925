"""The layout's boundaries, read from the imports (AST): a change that crosses one fails here.

- ``abci/`` knows the wire and nothing of tokens; ``state/`` knows bytes, versions and hashes
  (the standard library and plyvel only).
- ``app/`` outside ``app/node``, ``app/bench`` and ``app/cli`` is the deterministic state
  machine: it imports ``state/`` and its own files only; CometBFT's protobufs (``abci``) only
  in the ABCI glue (``app/application.py``, ``app/responses.py``).
- Domain modules import no wire, no execution and no query code.
- Only the PT keeper writes PT; only governance mints or burns; no module writes another
  module's shard.
- No import circles anywhere in the product; function-local imports only in node operations,
  benchmarks and the CLI, each with a comment saying why (start-up time, an optional library).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("abci", "app", "state", "rpc", "genesis")
GENERATED = ("abci/pb", "app/pb")
OPERATIONS = ("app.node", "app.bench", "app.cli")
ABCI_GLUE = {"app.application", "app.responses"}
# Third-party libraries the state machine may use (all pinned: they can change a result).
DETERMINISTIC_LIBS = {"google", "nacl", "bech32"}
STATE_LIBS = {"plyvel"}


@dataclass(frozen=True)
class Import:
    target: str  # dotted module name
    line: int
    local: bool  # inside a function


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _files() -> Iterator[Path]:
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if not rel.startswith(GENERATED):
                yield path


MODULES = {_module_name(p): p for p in _files()}


def _resolve(base: str, name: str | None, level: int, is_pkg: bool) -> str:
    if level == 0:
        return name or ""
    parts = base.split(".")
    if not is_pkg:
        parts = parts[:-1]
    parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, name] if name else parts)


def imports(module: str) -> list[Import]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(), str(path))
    is_pkg = path.name == "__init__.py"
    found: list[Import] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend(Import(a.name, child.lineno, local) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(module, child.module, child.level, is_pkg)
                for a in child.names:
                    sub = f"{target}.{a.name}"
                    found.append(Import(sub if sub in MODULES else target, child.lineno, local))
            visit(child, inner)

    visit(tree, False)
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def _is_operations(module: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in OPERATIONS)


def _is_product(name: str) -> bool:
    return _top(name) in PACKAGES


def _violations(rule: str, bad: list[str]) -> None:
    assert not bad, f"{rule}:\n  " + "\n  ".join(bad)


def test_the_tree_is_read() -> None:
    assert {"app.application", "app.block", "app.modules.pt", "state.store", "abci.server",
            "rpc.wallet"} <= set(MODULES)


def test_abci_knows_only_the_wire() -> None:
    bad = [f"{m}:{i.line} imports {i.target}" for m in MODULES if _top(m) == "abci"
           for i in imports(m) if _is_product(i.target) and _top(i.target) != "abci"]
    _violations("abci/ imports nothing of the application", bad)


def test_state_knows_bytes_versions_and_hashes() -> None:
    std = sys.stdlib_module_names
    bad = [f"{m}:{i.line} imports {i.target}" for m in MODULES if _top(m) == "state"
           for i in imports(m)
           if _top(i.target) not in std | STATE_LIBS | {"state", "__future__"}]
    _violations("state/ imports the standard library, plyvel and itself only", bad)


def test_the_state_machine_imports_state_and_itself_only() -> None:
    std = sys.stdlib_module_names
    bad = []
    for m in MODULES:
        if _top(m) != "app" or _is_operations(m):
            continue
        for i in imports(m):
            top = _top(i.target)
            if top in std or top == "__future__" or top in DETERMINISTIC_LIBS | {"state"}:
                continue
            if top == "app" and not _is_operations(i.target):
                continue
            if top == "abci" and m in ABCI_GLUE:
                continue
            bad.append(f"{m}:{i.line} imports {i.target}")
    _violations("app/ (the deterministic part) imports state/ and its own files only", bad)


def test_domain_modules_import_no_wire_execution_or_queries() -> None:
    banned = ("abci", "app.application", "app.block", "app.responses", "app.query", "app.tx",
              "app.genesis", "app.snapshots", "rpc", "genesis")
    bad = [f"{m}:{i.line} imports {i.target}" for m in MODULES
           if m.startswith("app.modules.") and m != "app.modules.router"
           for i in imports(m) if any(i.target == b or i.target.startswith(b + ".")
                                      for b in banned)]
    _violations("domain modules know their keys, messages, events and params only", bad)


def _attribute_uses(module: str, owner: str) -> Iterator[tuple[str, int]]:
    """``owner.name`` attribute uses in ``module`` (``owner`` imported as a sibling)."""
    tree = ast.parse(MODULES[module].read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == owner:
            yield node.attr, node.lineno


def test_only_the_keepers_write_pt_and_ft_and_only_governance_mints() -> None:
    bad = []
    for m in MODULES:
        if _top(m) != "app":
            continue
        for attr, line in _attribute_uses(m, "pt"):
            if attr.startswith("_"):
                bad.append(f"{m}:{line} reaches pt.{attr}")
            if attr in ("mint", "burn") and m != "app.modules.gov":
                bad.append(f"{m}:{line} calls pt.{attr}: only governance mints and burns")
        for attr, line in _attribute_uses(m, "ft"):
            if attr.startswith("_"):
                bad.append(f"{m}:{line} reaches ft.{attr}")
    _violations("PT and FT move only through their keepers' interfaces", bad)


def test_no_module_writes_another_modules_shard() -> None:
    bad = []
    for m in MODULES:
        if not m.startswith("app.modules."):
            continue
        tree = ast.parse(MODULES[m].read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("set", "delete") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Attribute) and first.attr == "SHARD":
                    bad.append(f"{m}:{node.lineno} writes {ast.unparse(first)}")
    _violations("a module writes its own shard only (others' through their interface)", bad)


def test_no_import_circles() -> None:
    graph = {m: sorted({i.target for i in imports(m) if i.target in MODULES and i.target != m})
             for m in MODULES}
    # A package's __init__ that re-exports from its own submodule is not a circle.
    for m, deps in graph.items():
        graph[m] = [d for d in deps if not (MODULES[m].name == "__init__.py"
                                            and d.startswith(m + "."))]
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    circles: list[list[str]] = []

    def strong(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in graph:
        if v not in index:
            strong(v)
    _violations("import circles", [" <-> ".join(c) for c in circles])


def _commented(module: str, line: int) -> bool:
    """The import on ``line``, or the block of imports it belongs to, carries a comment (on
    the import line, on the line above the block, or on a ``try:`` that opens it)."""
    lines = MODULES[module].read_text().splitlines()
    i = line - 1
    if "#" in lines[i]:
        return True
    while i > 0 and (lines[i - 1].strip().startswith(("from ", "import "))
                     or not lines[i - 1].strip()):
        i -= 1
    return i > 0 and "#" in lines[i - 1]


def test_function_local_imports_only_where_a_comment_says_why() -> None:
    """Deferred imports save a CLI command's start-up time or keep an optional dependency
    optional; each says so. The deterministic app and state/ defer none."""
    bad = []
    for m in MODULES:
        for i in imports(m):
            if not i.local:
                continue
            if _top(m) == "state" or (_top(m) == "app" and not _is_operations(m)):
                bad.append(f"{m}:{i.line} imports {i.target} inside a function")
            elif not _commented(m, i.line):
                bad.append(f"{m}:{i.line} imports {i.target} inside a function, no comment why")
    _violations("function-local imports", bad)

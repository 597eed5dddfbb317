"""The house rules (docs/architecture.md), checked on the source so that they stay true.

- ``cli/`` and ``reports/`` reach data only through :class:`~inspect_cli.ledger.Ledger`: they
  import no storage module and open no transaction.
- No module outside ``storage/`` imports a backend module or touches a backend's attributes.
- There is no import cycle, counting imports inside functions (the lazy ones) and the
  package ``__init__`` each import runs; imports only for type checking do not count.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "inspect_cli"
BACKENDS = {"inspect_cli.storage.jsonfile", "inspect_cli.storage.sqlite", "inspect_cli.storage.postgres"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def runtime_imports(name: str) -> set[str]:
    """Every inspect_cli module the module imports when it runs (at any depth of its code)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking_only(child):
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[:len(base) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                found.add(target)
                found.update(f"{target}.{a.name}" for a in child.names)  # `from pkg import module`
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    out: set[str] = set()
    for target in found:
        parts = target.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__ too
            candidate = ".".join(parts[:i])
            # a module's own packages are already being imported when it runs: no edge back to them
            if candidate in MODULES and candidate != name and not name.startswith(candidate + "."):
                out.add(candidate)
    return out


GRAPH = {name: runtime_imports(name) for name in MODULES}


def _cycles() -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in GRAPH:
        if v not in index:
            strong(v)
    return out


def test_the_package_has_no_import_cycle():
    # the root package only maps API names to modules lazily; it imports nothing of its own at run time
    assert _cycles() == []


@pytest.mark.parametrize("layer", ["inspect_cli.cli", "inspect_cli.reports"])
def test_cli_and_reports_reach_data_only_through_the_ledger(layer):
    offenders = []
    for name, path in MODULES.items():
        if not (name == layer or name.startswith(layer + ".")):
            continue
        for target in GRAPH[name]:
            if target.startswith("inspect_cli.storage"):
                offenders.append(f"{name} imports {target}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("read", "write", "backend", "store"):
                owner = ast.unparse(node.value)
                if owner.split(".")[-1] in ("ledger", "led", "self.ledger"):
                    offenders.append(f"{name}:{node.lineno} uses {owner}.{node.attr}")
    assert offenders == []


def test_no_module_outside_storage_imports_a_backend_or_its_attributes():
    offenders = []
    for name, path in MODULES.items():
        if name.startswith("inspect_cli.storage"):
            continue
        offenders += [f"{name} imports {t}" for t in GRAPH[name] if t in BACKENDS]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "backend":
                offenders.append(f"{name}:{node.lineno} reaches into the backend ({ast.unparse(node)})")
    allowed = {"inspect_cli.ledger"}  # the Ledger owns its backend and forwards exists/size_hint
    assert [o for o in offenders if o.split(":")[0].split(" ")[0] not in allowed] == []

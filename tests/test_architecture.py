"""The layout's rules (docs/architecture.md), checked on the source so the seams stay closed:
no import cycles, one module for each risky thing, no grab-bag modules, and every permission
decision in dialogue/permissions.py."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dialogue"
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _imports(name: str) -> set[str]:
    """Every module of the package that `name` imports, at any depth of its code (imports
    inside functions count: they hide cycles rather than remove them)."""
    tree = ast.parse(MODULES[name].read_text())
    base = name if _is_package(name) else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                origin = f"{anchor}.{node.module}" if node.module else anchor
            else:
                origin = node.module or ""
            # `from pkg import module` imports the module; `from module import name` the module.
            targets = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in MODULES else origin
                       for alias in node.names]
        else:
            continue
        found.update(target for target in targets if target in MODULES and target != name)
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def _cycle() -> list[str] | None:
    """One import cycle among the package's modules, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(GRAPH[node]):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        state[node] = "done"
        path.pop()
        return None

    for start in sorted(GRAPH):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_no_import_cycle_inside_the_package():
    assert _cycle() is None, " → ".join(_cycle())


def test_the_cycle_check_finds_a_cycle(monkeypatch):
    monkeypatch.setitem(GRAPH, "dialogue.models", GRAPH["dialogue.models"] | {"dialogue.permissions"})
    assert _cycle() is not None


# Features from the top down: each imports only those after it (and the core).
FEATURE_ORDER = ("sessions", "room", "moderation", "transcripts", "facilitation", "realtime", "auth")


def _feature(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FEATURE_ORDER else None


def test_features_import_one_way_only():
    wrong = []
    for name, targets in GRAPH.items():
        mine = _feature(name)
        for target in targets:
            theirs = _feature(target)
            if name.count(".") == 1 and mine is None:
                # A core module never imports a feature (except the app factory, the commands,
                # the one start-up and the WSGI entry point, which sit on top of everything).
                if theirs and name not in ("dialogue.app", "dialogue.cli", "dialogue.server", "dialogue.wsgi"):
                    wrong.append(f"{name} → {target}")
            elif mine and theirs and mine != theirs and FEATURE_ORDER.index(theirs) < FEATURE_ORDER.index(mine):
                wrong.append(f"{name} → {target}")
    assert wrong == []


def _importers_of(module_prefix: str) -> set[str]:
    found = set()
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] == module_prefix for a in node.names):
                found.add(name)
            elif isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == module_prefix:
                found.add(name)
    return found


def test_one_module_imports_the_sanitizer():
    assert _importers_of("nh3") == {"dialogue.sanitize"}


def test_socketio_sends_and_rooms_leave_from_one_module():
    """Only the emitter sends Socket.IO events or puts sockets in rooms; handlers answer
    through their acknowledgement (a return value), never with a send of their own."""
    offenders = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_socketio":
                names = {alias.name for alias in node.names} & {"emit", "send", "join_room", "leave_room",
                                                                 "close_room", "disconnect"}
                if names and name != "dialogue.emitter":
                    offenders.append(f"{name} imports {sorted(names)}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                    "emit", "send", "disconnect", "enter_room", "leave_room") and name != "dialogue.emitter":
                offenders.append(f"{name}:{node.lineno} calls .{node.func.attr}()")
    assert offenders == []


def test_no_module_is_a_grab_bag():
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text().splitlines())) > MAX_LINES and name != "dialogue.models"}
    assert long == {}


def _code_only(path: Path) -> str:
    """The module's code without comments and docstrings (prose may speak of roles)."""
    source = path.read_text()
    docstrings = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and node.body \
                and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
            docstrings.add(node.body[0].lineno)
    out = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            continue
        if token.type == tokenize.STRING and token.start[0] in docstrings:
            continue
        out.append(token.string)
    return " ".join(out)


# What a permission decision looks like in code: a role compared, the admin flag read, a
# mute's end compared with the time, or the balance bar or the lock deciding something.
DECISIONS = [
    re.compile(r"\brole\s*(==|!=|\bin\b|\bnot\s+in\b)"),
    re.compile(r"\brole\s*\.\s*in_\s*\("),
    re.compile(r"\bis_admin\b"),
    re.compile(r"\bmuted_until\s*(>|<|>=|<=)"),
    re.compile(r"\b(if|elif|and|or|not)\s+[\w.]*\b(show_balance|locked)\b"),
]


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n not in ("dialogue.permissions", "dialogue.models")))
def test_no_permission_decision_outside_permissions(name):
    code = _code_only(MODULES[name])
    found = [pattern.pattern for pattern in DECISIONS if pattern.search(code)]
    assert found == [], f"{name} decides who may do what itself; call dialogue.permissions instead"


def test_the_permission_grep_sees_decisions():
    code = 'if membership.role == "observer" or user.is_admin : pass'
    assert all(any(p.search(c) for p in DECISIONS) for c in code.split(" or "))


TEMPLATE_DECISIONS = re.compile(r"\brole\s*(==|!=|\bin\b|\bnot\s+in\b)|\bis_admin\b|\bmuted_until\b|\.role\b\s*\)")


@pytest.mark.parametrize("path", sorted((ROOT / "templates").rglob("*.html")), ids=lambda p: p.name)
def test_no_template_compares_roles(path):
    statements = " ".join(re.findall(r"{%-?(.*?)-?%}", path.read_text(), re.S))
    expressions = " ".join(re.findall(r"{{-?(.*?)-?}}", path.read_text(), re.S))
    assert not TEMPLATE_DECISIONS.search(statements), "templates get ready-made booleans"
    assert not re.search(r"\bis_admin\b|\brole\s*(==|!=)", expressions)


def test_the_distribution_ships_every_package():
    """A package the build leaves out would install a platform that cannot start."""
    import tomllib

    from setuptools import find_packages

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = config.get("packages")
    if isinstance(listed, list):
        shipped = set(listed)
    else:
        shipped = set(find_packages(str(ROOT), include=config["packages"]["find"]["include"]))
    packages = {_module_name(path) for path in PACKAGE.rglob("__init__.py")}
    assert packages <= shipped, sorted(packages - shipped)

"""Size figures of the package and where its ORM statements live (standard library only).

Usage: python scripts/code_metrics.py [SOURCE_TREE]

SOURCE_TREE is a checkout (the folder holding ``disdukcapil_desk/``) and defaults to this
one, so an older commit can be measured from its own worktree. Printed: the lines of each
package under ``disdukcapil_desk/``, the largest module and the largest function, and the
ORM statements outside ``db/`` per module: calls of the statement builders (``select``,
``update``, ``insert``, ``delete``, ``text``) and of a session's ``add``, ``get``, ``execute``,
``scalar``, ``scalars``, ``delete``, ``flush``, ``merge`` and ``query``.
"""

from __future__ import annotations

import argparse
import ast
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "disdukcapil_desk"
BUILDERS = frozenset({"select", "update", "insert", "delete", "text"})
SESSION_CALLS = frozenset(
    {"add", "get", "execute", "scalar", "scalars", "delete", "flush", "merge", "query"}
)
SESSION_NAMES = frozenset({"session", "s", "db", "conn", "connection"})


@dataclass(frozen=True)
class Function:
    """One function or method and its length in lines."""

    module: str
    name: str
    lines: int


def module_name(root: Path, path: Path) -> str:
    """Dotted module name of ``path`` below ``root``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_of(root: Path, path: Path) -> str:
    """The top-level package (or module) of the package that ``path`` belongs to."""
    parts = path.relative_to(root / PACKAGE).parts
    return f"{PACKAGE}.{parts[0].removesuffix('.py')}" if len(parts) > 1 else PACKAGE


def imported_builders(tree: ast.Module) -> set[str]:
    """Local names bound to SQLAlchemy's statement builders in this module."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            names.update(a.asname or a.name for a in node.names if a.name in BUILDERS)
    return names


def is_session(node: ast.expr) -> bool:
    """Whether ``node`` names a session (``session``, ``self.session``, ``s`` ...)."""
    if isinstance(node, ast.Name):
        return node.id in SESSION_NAMES or node.id.endswith("session")
    if isinstance(node, ast.Attribute):
        return node.attr in SESSION_NAMES or node.attr.endswith("session")
    return False


def orm_statements(tree: ast.Module) -> int:
    """Calls of statement builders and session methods in one module."""
    builders = imported_builders(tree)
    return sum(
        1
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and is_statement(node.func, builders)
    )


def is_statement(func: ast.expr, builders: set[str]) -> bool:
    """Whether a call of ``func`` builds or runs an ORM statement."""
    if isinstance(func, ast.Name):
        return func.id in builders
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr in SESSION_CALLS and is_session(func.value):
        return True
    return (
        func.attr in BUILDERS
        and isinstance(func.value, ast.Name)
        and func.value.id in {"sa", "sqlalchemy"}
    )


def functions(module: str, tree: ast.Module) -> list[Function]:
    """Every function and method of a module with its length."""
    return [
        Function(module, node.name, (node.end_lineno or node.lineno) - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def main() -> None:
    """Print the figures for the tree given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", default=Path(__file__).resolve().parent.parent)
    root = Path(parser.parse_args().tree).resolve()
    lines_per_package: Counter[str] = Counter()
    module_lines: dict[str, int] = {}
    all_functions: list[Function] = []
    orm: dict[str, int] = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        name = module_name(root, path)
        count = len(source.splitlines())
        lines_per_package[package_of(root, path)] += count
        module_lines[name] = count
        all_functions.extend(functions(name, tree))
        if not name.startswith(f"{PACKAGE}.db."):
            statements = orm_statements(tree)
            if statements:
                orm[name] = statements
    print(f"Source tree: {root}")
    print("\nLines per package:")
    for package, count in sorted(lines_per_package.items()):
        print(f"  {package:40} {count:6}")
    print(f"  {'total':40} {sum(lines_per_package.values()):6}")
    largest = max(module_lines.items(), key=lambda item: item[1])
    print(f"\nLargest module: {largest[0]} ({largest[1]} lines)")
    longest = max(all_functions, key=lambda f: f.lines)
    print(f"Largest function: {longest.module}.{longest.name} ({longest.lines} lines)")
    print("\nORM statements outside db/:")
    for name, count in sorted(orm.items()):
        print(f"  {name:50} {count:4}")
    print(f"  {'total':50} {sum(orm.values()):4}")


if __name__ == "__main__":
    main()

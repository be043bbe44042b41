"""No SQL outside the store modules: a statement in a string, or a call that runs one, anywhere in
``assistant/``, ``knowledge/`` or ``quick_replies/`` except a store (``*store*.py``), a migration set
(``migrations.py`` and its ``migrations_*.py`` steps), the PostgreSQL hub (``assistant/hub/``, its own
store layer) and the connection itself (``knowledge/database.py``, which sets the pragmas every
connection needs). A second backend then means rewriting the stores, not hunting statements through the
use cases."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("assistant", "knowledge", "quick_replies")
ALLOWED = {Path("knowledge/database.py")}
STATEMENT = re.compile(
    r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bREPLACE\s+INTO\b|\bUPDATE\s+\w+\s+SET\b"
    r"|\bDELETE\s+FROM\b|\bCREATE\s+(UNIQUE\s+)?(TABLE|INDEX|TRIGGER|VIEW)\b|\b(DROP|ALTER)\s+TABLE\b"
    r"|\bPRAGMA\s+\w+"
)  # upper case, as every statement here is written: "insert into the chat" is UI text
RUNS_SQL = {"execute", "executemany", "executescript", "rows_where"}


def _is_store(path: Path) -> bool:
    return (
        "store" in path.name
        or path.stem == "migrations"
        or path.stem.startswith("migrations_")
        or path.parts[:2] == ("assistant", "hub")
        or path in ALLOWED
    )


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of docstring nodes: prose about SQL is allowed, running it is not."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _text(node: ast.JoinedStr) -> str:
    """An f-string with each ``{...}`` as a name, so ``f"UPDATE {table} SET"`` reads as a statement."""
    return "".join(str(v.value) if isinstance(v, ast.Constant) else "x" for v in node.values)


def sql_in(source: str) -> list[str]:
    """Each SQL statement (string literal, f-string) or SQL-running call in ``source``, with its line."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
    found: list[str] = []
    for node in ast.walk(tree):
        text: str | None = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = _text(node)
        if text is not None and isinstance(node, ast.expr) and STATEMENT.search(text):
            found.append(f"{node.lineno}: {text.strip()[:60]!r}")
        elif (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNS_SQL
        ):
            found.append(f"{node.lineno}: .{node.func.attr}(...)")
    return sorted(found, key=lambda hit: int(hit.split(":")[0]))


def test_no_sql_outside_the_stores() -> None:
    found = [
        f"{rel}:{hit}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if not _is_store(rel := path.relative_to(ROOT))
        for hit in sql_in(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "SQL outside a store module (move it into the package's store):\n" + "\n".join(found)


def test_the_scan_sees_sql_however_it_is_written() -> None:
    """The scan finds a statement in a plain or f-string, over lines, and a bare ``execute`` call, and
    leaves prose and UI text alone (so the test above can fail and does not cry wolf)."""
    source = (
        "def f(db, shop_id, table):\n"
        '    """Reads the shop; SELECT-ing is described here, FROM the docs."""\n'
        '    db.conn.execute("SELECT name\\n FROM shops WHERE id = ?", (shop_id,))\n'
        '    q = f"UPDATE {table} SET name = ?"\n'
        "    db.execute(q)\n"
        '    return "DELETE /api/kb/intents/{id}", "Click to insert into the chat"\n'
    )
    hits = sql_in(source)
    assert [hit.split(":")[0] for hit in hits] == ["3", "3", "4", "5"]
    assert _is_store(Path("assistant/team/care_store.py"))
    assert _is_store(Path("knowledge/store_items.py"))
    assert not _is_store(Path("assistant/team/care_scan.py"))

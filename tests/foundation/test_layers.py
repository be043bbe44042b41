"""The layering rule: the domain packages (``knowledge``, ``quick_replies``, ``assistant.commerce``,
``assistant.sync``, ``assistant.privacy``) know nothing of HTTP: no aiohttp, no ``assistant.errors`` (they raise ``knowledge.errors``), and
``knowledge`` and ``quick_replies`` import nothing of ``assistant`` at all."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = {
    "knowledge": ROOT / "knowledge",
    "quick_replies": ROOT / "quick_replies",
    "assistant.commerce": ROOT / "assistant" / "commerce",
    "assistant.sync": ROOT / "assistant" / "sync",
    "assistant.privacy": ROOT / "assistant" / "privacy",
}
HTTP = ("aiohttp", "assistant.errors", "assistant.keys", "assistant.api", "assistant.security")


def _imports(path: Path) -> list[str]:
    """Every module a file imports, at any depth of the file (also inside functions)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@pytest.mark.parametrize("package", sorted(DOMAIN))
def test_no_http_in_the_domain(package: str) -> None:
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted(DOMAIN[package].rglob("*.py"))
        for name in _imports(path)
        if any(_within(name, banned) for banned in HTTP)
    ]
    assert found == []


@pytest.mark.parametrize("package", ["knowledge", "quick_replies"])
def test_bottom_packages_import_nothing_above(package: str) -> None:
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted(DOMAIN[package].rglob("*.py"))
        for name in _imports(path)
        if _within(name, "assistant")
    ]
    assert found == []


def test_importing_the_domain_loads_no_http() -> None:
    """Transitively too: importing every domain module leaves aiohttp and the app's keys unloaded."""
    script = (
        "import importlib, pkgutil, sys\n"
        f"for pkg in {sorted(DOMAIN)!r}:\n"
        "    mod = importlib.import_module(pkg)\n"
        "    for info in pkgutil.walk_packages(mod.__path__, pkg + '.'):\n"
        "        importlib.import_module(info.name)\n"
        f"print(sorted(m for m in sys.modules if any(m == b or m.startswith(b + '.') for b in {HTTP!r})))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_the_rule_sees_a_violation(tmp_path: Path) -> None:
    """The walker finds an import however it is written (so the tests above can fail)."""
    source = tmp_path / "bad.py"
    source.write_text(
        "def f():\n    from aiohttp import web\n\nimport assistant.errors as e\n", encoding="utf-8"
    )
    names = _imports(source)
    assert any(_within(n, "aiohttp") for n in names)
    assert any(_within(n, "assistant.errors") for n in names)


@pytest.mark.parametrize(
    "module", ["assistant.errors", "assistant.keys", "assistant.hub.service", "assistant.routes"]
)
def test_each_service_module_imports_on_its_own(module: str) -> None:
    """No import cycle hides behind the order the app happens to import things in (errors → keys → the
    hub's service → errors failed when ``assistant.errors`` came first)."""
    run = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr

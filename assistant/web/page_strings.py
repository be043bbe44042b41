"""Which UI strings a page embeds: the keys its ES modules read, and no others.

A page's modules are its entry scripts (``PAGE_SCRIPTS``; a tabbed page has ``<page>/<page>.js`` and
``<page>/<tab>.js`` for each of its tabs) and everything they import, statically or with
``import("./x.js")``. A module reads a key as ``T.key`` or ``T["key"]``; a key built at run time (``T["role_" + x]``, ``T[`w_presence_${s}`]``)
brings every key of that shape; a quoted literal that is a key (``["rk_col_buyer", …].map((k) => T[k])``)
counts as read. ``tests/foundation/test_ui_strings.py`` checks that every ``T[…]`` in the shipped
modules is one of these forms, so a key the scan cannot see fails a test instead of showing
``undefined``. Templates keep the whole table (``t``); only the ``data-i18n`` JSON is cut per page.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"

# template → the module scripts it loads (``<script type="module" src=…>``); a test keeps this table
# equal to the templates. Tabbed pages (``tabbed.html``) are found from their ``page`` and ``tabs``.
PAGE_SCRIPTS: dict[str, tuple[str, ...]] = {
    "sidebar.html": ("sidebar/sidebar.js",),
    "lookup.html": ("lookup/lookup.js",),
    "demo.html": ("demo/demo.js",),
    "home.html": (),
    "error.html": (),
}

_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.\.?/[\w./-]+\.js)["']""")
_DOT = re.compile(r"\bT\.([A-Za-z_]\w*)")
_INDEX = re.compile(r"""\bT\[\s*["'](\w+)["']\s*\]""")
_CONCAT = re.compile(r"""["'](\w+_)["']\s*\+""")
_INDEX_CONCAT = re.compile(r"""\bT\[\s*["'](\w+_)["']\s*\+""")
_INDEX_TEMPLATE = re.compile(r"\bT\[`([^`]*)`\]")
_TEMPLATE = re.compile(r"`([^`]*\$\{[^`]*)`")
_PREFIX = re.compile(r"(?<![\w$])([A-Za-z]\w*_)\$\{")
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")
_LITERAL = re.compile(r"""["'`](\w+)["'`]""")


def imported(source: str) -> list[str]:
    """The modules ``source`` imports by relative path (``from "./x.js"``, ``import("../shared/x.js")``)."""
    return _IMPORT.findall(source)


def module_closure(entries: Iterable[str], static_dir: Path = STATIC_DIR) -> set[str]:
    """The entry modules and every module they import, transitively (paths relative to ``static_dir``)."""
    seen: set[str] = set()
    todo = list(entries)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            folder = posixpath.dirname(name)
            source = (static_dir / name).read_text(encoding="utf-8")
            todo += [posixpath.normpath(posixpath.join(folder, spec)) for spec in imported(source)]
    return seen


def static_keys(source: str) -> set[str]:
    """Keys read by name: ``T.key`` and ``T["key"]``."""
    return set(_DOT.findall(source)) | set(_INDEX.findall(source))


def shape(literal: str) -> str | None:
    """A template literal ``a_${x}_b`` as the regular expression ``a_\\w+_b``; None unless it is word
    characters with each placeholder joined by ``_`` (how keys are built; ``qr${n}`` is an element id)."""
    parts = _PLACEHOLDER.split(literal)
    if not all(re.fullmatch(r"\w*", part) for part in parts) or len("".join(parts)) < 2:
        return None
    joined = all(
        (not a or a.endswith("_")) and (not b or b.startswith("_")) for a, b in itertools.pairwise(parts)
    )
    return r"\w+".join(re.escape(part) for part in parts) if joined else None


def index_patterns(source: str) -> set[str]:
    """Keys built inside ``T[…]`` (``"prefix_" + x`` or a template literal ``a_${x}_b``), as regexes."""
    patterns = {re.escape(prefix) + r"\w+" for prefix in _INDEX_CONCAT.findall(source)}
    return patterns | {pattern for literal in _INDEX_TEMPLATE.findall(source) if (pattern := shape(literal))}


def key_patterns(source: str) -> set[str]:
    """Strings built at run time anywhere (a key may be built first and looked up later), as regexes:
    ``"prefix_" + x`` and template literals ``a_${x}_b``; a superset of index_patterns."""
    patterns = {re.escape(prefix) + r"\w+" for prefix in _CONCAT.findall(source)}
    patterns |= {pattern for literal in _TEMPLATE.findall(source) if (pattern := shape(literal))}
    # a literal nested in another (`${T[`a_${x}`]} …`) is not one _TEMPLATE match: its prefix still counts
    patterns |= {re.escape(prefix) + r"\w+" for prefix in _PREFIX.findall(source)}
    return patterns | index_patterns(source)


def keys_read(source: str, known: Iterable[str]) -> set[str]:
    """The keys of ``known`` one module's ``source`` may read (by name, by pattern, or as a literal)."""
    known = set(known)
    found = static_keys(source) & known
    found |= set(_LITERAL.findall(source)) & known
    for pattern in key_patterns(source):
        compiled = re.compile(pattern)
        found |= {key for key in known if compiled.fullmatch(key)}
    return found


def page_scripts(template: str, context: Mapping[str, object]) -> tuple[str, ...] | None:
    """The entry modules of a page, or None when the template is not in the table (it gets every key)."""
    page, tabs = context.get("page"), context.get("tabs")
    if isinstance(page, str) and isinstance(tabs, tuple):
        return (f"{page}/{page}.js", *(f"{page}/{tab.replace('-', '_')}.js" for tab in tabs))
    return PAGE_SCRIPTS.get(template)


@cache
def page_keys(entries: tuple[str, ...], known: frozenset[str]) -> frozenset[str]:
    """Every key the modules of a page read (read once per process; the files ship with the package)."""
    found: set[str] = set()
    for name in module_closure(entries):
        found |= keys_read((STATIC_DIR / name).read_text(encoding="utf-8"), known)
    return frozenset(found)


def page_strings(strings: dict[str, str], entries: tuple[str, ...] | None) -> dict[str, str]:
    """The part of one language's table a page embeds as ``data-i18n``."""
    if entries is None:
        return strings
    keys = page_keys(entries, frozenset(strings))
    return {key: text for key, text in strings.items() if key in keys}

"""UI string drift: every key a shipped script or a template reads exists in both languages, and each
page embeds the keys its modules read (``assistant/web/page_strings.py``), not the whole table."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from assistant.api.pages import EDITOR_TABS, SUPERVISOR_TABS, TRAINING_TABS
from assistant.web.i18n import STRINGS
from assistant.web.page_strings import (
    PAGE_SCRIPTS,
    imported,
    index_patterns,
    key_patterns,
    keys_read,
    module_closure,
    page_scripts,
    page_strings,
    shape,
    static_keys,
)
from knowledge.models import RevisionAction, Role
from tests.conftest import MiniShop

WEB = Path(__file__).resolve().parents[2] / "assistant" / "web"
SCRIPTS = sorted((WEB / "static").rglob("*.js"))
TEMPLATES = sorted((WEB / "templates").glob("*.html"))
ZH, EN = STRINGS["zh-CN"], STRINGS["en"]
TABBED = {"editor": EDITOR_TABS, "supervisor": SUPERVISOR_TABS, "training": TRAINING_TABS}
TAB_PREFIX = {"editor": "tab_", "supervisor": "stab_", "training": "ttab_"}

SNIPPET = """
import { T, el } from "./ui.js";
import { x } from "./other.js";
const { later } = await import("./later.js");
el("p", { textContent: T.plain_key });
el("p", { textContent: T["indexed_key"] });
el("p", { textContent: T["role_" + me.role] });
el("p", { textContent: T[`w_presence_${s}`] + T[`${kind}_buyer`] });
el("p", { textContent: `${T[`rk_filter_${f}`]} ${n}` });
["listed_key", "not a key"].map((k) => T[k]);
"""


def test_the_extractor_reads_each_form_on_a_snippet() -> None:
    assert imported(SNIPPET) == ["./ui.js", "./other.js", "./later.js"]
    assert static_keys(SNIPPET) == {"plain_key", "indexed_key"}
    patterns = index_patterns(SNIPPET)
    assert patterns == {r"role_\w+", r"w_presence_\w+", r"\w+_buyer", r"rk_filter_\w+"}
    assert key_patterns(SNIPPET + "const id = `intent_${n}`, other = `qr${n}`;") == patterns | {r"intent_\w+"}
    known = {
        "plain_key",
        "indexed_key",
        "role_agent",
        "w_presence_away",
        "new_buyer",
        "rk_filter_slow",
        "listed_key",
        "unrelated",
        "w_presence_",
    }
    assert keys_read(SNIPPET, known) == known - {"unrelated", "w_presence_"}


# ``T[`` followed by one of the forms page_strings understands; anything else would hide a key.
_KNOWN_INDEX = re.compile(
    r"""\bT\[(?:\s*["']\w+["']\s*\]|\s*["']\w+_["']\s*\+|`(?:\w|\$\{[^}`]*\})*`\]|\s*[A-Za-z_]\w*\s*\])"""
)


def test_imports_resolve_from_the_importing_modules_folder(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "main.js").write_text(
        'import { a } from "./part.js";\nimport { T } from "../shared/ui.js";'
    )
    (tmp_path / "page" / "part.js").write_text('const m = await import("../shared/ui.js");')
    (tmp_path / "shared" / "ui.js").write_text("export const T = {};")
    assert module_closure(["page/main.js"], tmp_path) == {"page/main.js", "page/part.js", "shared/ui.js"}


def test_every_index_into_the_strings_is_a_form_the_scan_reads() -> None:
    odd = []
    total = 0
    for script in SCRIPTS:
        source = script.read_text(encoding="utf-8")
        for match in re.finditer(r"\bT\[", source):
            total += 1
            known = _KNOWN_INDEX.match(source, match.start())
            built = known and known.group().startswith("T[`")
            if not known or (built and shape(known.group()[3:-2]) is None):
                odd.append(f"{script.name}: {source[match.start() : match.start() + 60]}")
    assert odd == [] and total >= 40


def test_every_key_a_script_reads_by_name_exists_in_both_languages() -> None:
    used: dict[str, set[str]] = {}
    for script in SCRIPTS:
        for key in static_keys(script.read_text(encoding="utf-8")):
            used.setdefault(key, set()).add(script.name)
    assert len(used) >= 600, len(used)  # the scan found the shipped scripts' keys, not nothing
    missing = {key: sorted(where) for key, where in used.items() if key not in ZH or key not in EN}
    assert missing == {}


def test_every_key_pattern_a_script_builds_has_keys() -> None:
    patterns: dict[str, set[str]] = {}
    for script in SCRIPTS:
        for pattern in index_patterns(script.read_text(encoding="utf-8")):
            patterns.setdefault(pattern, set()).add(script.name)
    assert {r"role_\w+", r"action_\w+", r"w_presence_\w+", r"qre_scope_\w+"} <= patterns.keys()
    assert len(patterns) >= 30, sorted(patterns)
    empty = {p: sorted(where) for p, where in patterns.items() if not any(re.fullmatch(p, k) for k in ZH)}
    assert empty == {}
    # the families whose values the code knows: every value has its text
    for prefix, values in (("role_", list(Role)), ("action_", list(RevisionAction))):
        assert [v.value for v in values if prefix + v.value not in ZH or prefix + v.value not in EN] == []


def test_every_key_a_template_reads_exists_in_both_languages() -> None:
    used: set[str] = set()
    for template in TEMPLATES:
        source = template.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\.([A-Za-z_]\w*)", source))
        used |= set(re.findall(r"""\bt\[\s*["'](\w+)["']\s*\]""", source))
    for page, tabs in TABBED.items():
        used |= {TAB_PREFIX[page] + tab.replace("-", "_") for tab in tabs}
    assert len(used) >= 60, len(used)
    assert sorted(used - ZH.keys()) == [] and sorted(used - EN.keys()) == []


def _script_tags(template: Path) -> tuple[str, ...]:
    return tuple(
        re.findall(r"""<script type="module" src="\{\{ static\('([\w./]+)'\) \}\}">""", template.read_text())
    )


def test_the_page_table_names_each_templates_scripts() -> None:
    pages = {t.name for t in TEMPLATES} - {"base.html", "tabbed.html"}
    tabbed = {f"{page}.html" for page in TABBED}
    assert pages - tabbed == PAGE_SCRIPTS.keys()
    for name, scripts in PAGE_SCRIPTS.items():
        assert _script_tags(WEB / "templates" / name) == scripts, name
    for page, tabs in TABBED.items():
        entries = page_scripts(f"{page}.html", {"page": page, "tabs": tabs})
        assert entries is not None and all((WEB / "static" / name).is_file() for name in entries)
        assert len(entries) == len(tabs) + 1


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_each_page_embeds_what_its_modules_read_and_less_than_all(lang: str) -> None:
    strings = STRINGS[lang]
    contexts: dict[str, dict[str, object]] = {name: {} for name in PAGE_SCRIPTS} | {
        f"{page}.html": {"page": page, "tabs": tabs} for page, tabs in TABBED.items()
    }
    for template, context in contexts.items():
        entries = page_scripts(template, context)
        assert entries is not None
        embedded = page_strings(strings, entries)
        modules = module_closure(entries)
        for module in modules:
            source = (WEB / "static" / module).read_text(encoding="utf-8")
            assert static_keys(source) <= embedded.keys(), (template, module)
            for pattern in index_patterns(source) | key_patterns(source):
                family = {key for key in strings if re.fullmatch(pattern, key)}
                assert family <= embedded.keys(), (template, module, pattern)
        if "shared/ui.js" in modules:
            assert {"p_colon", "p_list", "kb_at_line_col"} <= embedded.keys()
        assert len(embedded) < len(strings) * 0.5, template
    assert page_strings(strings, None) == strings  # a template not in the table keeps every key


async def test_served_pages_carry_their_own_strings(client: TestClient, mini_shop: MiniShop) -> None:
    sizes = {}
    for path in ("/sidebar", "/lookup", "/editor", "/supervisor", "/training", "/", "/nowhere"):
        response = await client.get(path, params={"lang": "en"}, headers={"Accept": "text/html"})
        html = await response.text()
        match = re.search(r'data-i18n="([^"]*)"', html)
        assert match, path
        sizes[path] = set(json.loads(unescape(match.group(1))))
    assert sizes["/"] == set() and sizes["/nowhere"] == set()
    assert {"suggestions", "op_title", "qr_keys_nav"} <= sizes["/sidebar"]
    assert "rk_base" not in sizes["/sidebar"] and "qre_all_groups" not in sizes["/sidebar"]
    assert {"qre_import", "kb_at_line_col", "role_editor"} <= sizes["/editor"]
    assert "suggestions" not in sizes["/editor"]
    assert {"role_supervisor", "w_presence_away"} <= sizes["/supervisor"]
    assert "qre_import" not in sizes["/supervisor"]
    assert len(sizes["/lookup"]) < len(sizes["/sidebar"])

"""The front-end's API paths against the route table: every ``/api/...`` URL the shipped
``assistant/web/static/*.js`` builds (string literals, template literals, ``"..." + x``
concatenation) must be a route of ``assistant.routes.ENDPOINTS``, so a renamed or removed route fails
here, naming the file and the path, instead of as a 404 in an agent's sidebar.

The match ignores the method and the query string. A ``${...}`` (or a concatenated expression) is
the placeholder ``{}``: it matches a route's ``{param}`` segment, never a literal one. A literal
segment matches a ``{param}`` segment only if that parameter's parser (``assistant.path_params``)
accepts it, so ``/api/kb/campaigns/${id}/revisions`` matches ``/api/kb/{entity}/{entity_id}/revisions``
but ``/api/kb/campaign/${id}/revisions`` does not.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from assistant.errors import BadRequest, NotFound
from assistant.path_params import PATH_PARAMS
from assistant.routes import ENDPOINTS

STATIC = Path(__file__).resolve().parents[2] / "assistant" / "web" / "static"
HOLE = "{}"
_START = re.compile(r"""(["'`])/api/""")
_COMMENT_LINE = re.compile(r"^\s*(//|/\*|\*)")
_CONCAT = re.compile(r"\s*\+\s*")
_OPERAND = re.compile(r"[\w$.]+(\([^()]*\))?(\[[^\]]*\])?")

#: Paths whose placeholder stands for a literal segment, with every value the code puts there.
#: order_panel.js posts an edit to ``/api/orders/${id}/${change.path}``; ``change.path`` is one of the
#: edit kinds order_forms.js builds (``money("price"|"postage")``, ``address``, ``remark``).
LITERAL_HOLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("order_panel.js", "/api/orders/{}/{}"): ("price", "postage", "address", "remark"),
}


def _skip_string(src: str, i: int) -> int:
    """The index just past the string literal (``'``, ``"`` or a template) that starts at ``src[i]``."""
    quote = src[i]
    i += 1
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == quote:
            return i + 1
        if quote == "`" and src.startswith("${", i):
            i = _skip_expression(src, i + 2)
            continue
        i += 1
    raise ValueError("unterminated string literal")


def _skip_expression(src: str, i: int) -> int:
    """The index just past the ``}`` closing a ``${`` whose expression starts at ``src[i]``."""
    depth = 1
    while i < len(src):
        ch = src[i]
        if ch in "\"'`":
            i = _skip_string(src, i)
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unterminated ${...} in a template literal")


def _literal(src: str, i: int) -> tuple[str, int]:
    """The text of the string literal at ``src[i]`` with each ``${...}`` as ``{}``, and its end."""
    quote = src[i]
    out: list[str] = []
    i += 1
    while True:
        ch = src[i]
        if ch == "\\":
            out.append(src[i + 1])
            i += 2
        elif ch == quote:
            return "".join(out), i + 1
        elif quote == "`" and src.startswith("${", i):
            out.append(HOLE)
            i = _skip_expression(src, i + 2)
        else:
            out.append(ch)
            i += 1


def normalise(url: str) -> str:
    """The path of a URL as the JS builds it: no query string or fragment."""
    return re.split(r"[?#]", url, maxsplit=1)[0]


def extract(src: str) -> list[str]:
    """Every ``/api/...`` path a piece of JS builds, in order, normalised (see the module doc)."""
    code = "\n".join("" if _COMMENT_LINE.match(line) else line for line in src.splitlines())
    found: list[str] = []
    pos = 0
    while (m := _START.search(code, pos)) is not None:
        url, pos = _literal(code, m.start())
        # "/api/x/" + id + "/y": literals join, any other operand is a placeholder
        while "?" not in url and (plus := _CONCAT.match(code, pos)) is not None:
            nxt = plus.end()
            if nxt < len(code) and code[nxt] in "\"'`":
                part, pos = _literal(code, nxt)
                url += part
            elif (operand := _OPERAND.match(code, nxt)) is not None:
                url += HOLE
                pos = operand.end()
            else:
                break
        found.append(normalise(url))
    return found


def shipped_paths() -> list[tuple[str, str]]:
    """(file name, path) for every ``/api/`` path in the shipped JS."""
    return [
        (js.name, path)
        for js in sorted(STATIC.glob("*.js"))
        for path in extract(js.read_text(encoding="utf-8"))
    ]


def _segment_matches(js: str, route: str) -> bool:
    if route.startswith("{") and route.endswith("}"):
        if HOLE in js:
            return True
        try:
            PATH_PARAMS[route[1:-1]].parse(route[1:-1], js)
        except (BadRequest, NotFound):
            return False
        return True
    return js == route


def matches(path: str, route: str) -> bool:
    """Does the JS path ``path`` (placeholders ``{}``) address the route ``route``?"""
    have, want = path.strip("/").split("/"), route.strip("/").split("/")
    return len(have) == len(want) and all(map(_segment_matches, have, want))


def unknown(paths: list[tuple[str, str]], routes: list[str]) -> list[str]:
    """``file: path`` for each path no route matches (literal holes expanded first)."""
    missing: list[str] = []
    for name, path in paths:
        for concrete in _expand(name, path):
            if not any(matches(concrete, route) for route in routes):
                missing.append(f"{name}: {concrete}")
    return missing


def _expand(name: str, path: str) -> list[str]:
    values = LITERAL_HOLES.get((name, path))
    if values is None:
        return [path]
    head, _, tail = path.rpartition(HOLE)
    return [head + value + tail for value in values]


ROUTES = [endpoint.path for endpoint in ENDPOINTS]


def test_every_api_path_the_front_end_uses_is_a_route() -> None:
    paths = shipped_paths()
    missing = unknown(paths, ROUTES)
    assert not missing, "the front-end calls paths the route table does not have:\n" + "\n".join(missing)


def test_the_extraction_finds_every_api_url_in_the_shipped_js() -> None:
    """Not vacuous: the extractor sees every quoted ``/api/`` literal outside comments, and there are
    many (about 160 in 50 files today; the floor leaves room for the front-end to shrink)."""
    paths = shipped_paths()
    by_file = Counter(name for name, _ in paths)
    raw = Counter(
        js.name
        for js in STATIC.glob("*.js")
        for line in js.read_text(encoding="utf-8").splitlines()
        if not _COMMENT_LINE.match(line)
        for _ in _START.finditer(line)
    )
    assert by_file == raw
    assert len(paths) > 120 and len(by_file) > 30
    assert len({path for _, path in paths}) > 90
    assert all(path.startswith("/api/") and "?" not in path and "${" not in path for _, path in paths)
    assert ("order_panel.js", "/api/orders/{}/address") in paths
    assert ("supervisor_qc.js", "/api/kb/intents") in paths  # `?${new URLSearchParams({ ... "8" })}`


def test_every_literal_hole_is_still_in_the_code() -> None:
    """A stale entry of LITERAL_HOLES would check nothing: each must name a path the JS still builds."""
    assert set(LITERAL_HOLES) <= set(shipped_paths())


def test_the_order_edits_checked_are_the_ones_the_panel_offers() -> None:
    """``change.path`` is the edit's kind: the panel's ``edits`` list (kind, label) names them all."""
    src = (STATIC / "order_panel.js").read_text(encoding="utf-8")
    offered = re.findall(r'\["(\w+)", T\.op_edit_\w+\]', src)
    assert offered and tuple(offered) == LITERAL_HOLES[("order_panel.js", "/api/orders/{}/{}")]


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ('api("/api/me")', ["/api/me"]),
        ("api('/api/kb/preview', { method: 'POST' })", ["/api/kb/preview"]),
        ("api(`/api/orders/${order.order_id}/address`)", ["/api/orders/{}/address"]),
        ("api(`/api/qc/findings?shop=${ctx.shop()}`)", ["/api/qc/findings"]),
        (
            'api(`/api/kb/intents?${new URLSearchParams({ q, limit: "8" })}`).then((r) => "x")',
            ["/api/kb/intents"],
        ),
        ("api(`/api/x/${a ? `${b}` : {}.c}/y`)", ["/api/x/{}/y"]),
        ('api("/api/quick-replies/" + reply.id + "/rollback")', ["/api/quick-replies/{}/rollback"]),
        ("api('/api/buyers/' + encodeURIComponent(nick) + '?shop=' + shop)", ["/api/buyers/{}"]),
        ('api("/api/orders/" + ids[0])', ["/api/orders/{}"]),
        ('const p = c ? `/api/a/${id}` : "/api/a";', ["/api/a/{}", "/api/a"]),
        ('// POST "/api/comment" is prose\n  /** `/api/doc` */\n x = 1;', []),
        ('"/apis/no"; "/api"; `api/no`', []),
    ],
)
def test_extract(src: str, expected: list[str]) -> None:
    assert extract(src) == expected


def test_the_matcher_rejects_wrong_paths() -> None:
    """Drift fails: a misspelt, removed or over-long path matches no route, and the failure names it."""
    good = [
        ("x.js", "/api/orders/{}/address"),
        ("x.js", "/api/orders/123456/address"),
        ("x.js", "/api/kb/campaigns/{}/revisions"),
        ("x.js", "/api/shop-import/orders"),
        ("x.js", "/api/me/"),
    ]
    assert unknown(good, ROUTES) == []
    wrong = [
        ("a.js", "/api/orders/{}/adress"),  # misspelt
        ("b.js", "/api/kb/campaign/{}/revisions"),  # {entity} is one of intents/campaigns/...
        ("c.js", "/api/orders/12/address"),  # an order number has 6-24 digits
        ("d.js", "/api/me/{}"),  # longer than any route
        ("e.js", "/api/orders/{}/{}"),  # a placeholder never stands for a literal segment...
        ("order_panel.js", "/api/quick-replies/{}/{}"),  # ...unless LITERAL_HOLES says which ones
        ("f.js", "/api/reports/kpis"),
    ]
    assert unknown(wrong, ROUTES) == [f"{name}: {path}" for name, path in wrong]
    assert unknown([("order_panel.js", "/api/orders/{}/{}")], ["/api/orders/{order_id}/price"]) == [
        "order_panel.js: /api/orders/{}/postage",
        "order_panel.js: /api/orders/{}/address",
        "order_panel.js: /api/orders/{}/remark",
    ]

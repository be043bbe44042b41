"""The front-end's API calls against the route table. Every call the pages make goes through one named
function of ``assistant/web/static/shared/api.js``, written as ``call("METHOD", path)`` (or
``stream("GET", path)`` for an event stream); each must be a route of ``assistant.routes.ENDPOINTS``
with that method, so a renamed or removed route, or a wrong method, fails here, naming the path,
instead of as a 404 or 405 in an agent's sidebar. No other static file may spell an ``/api/`` path.

The path match ignores the query string. A ``${...}`` (or a concatenated expression) is the
placeholder ``{}``: it matches a route's ``{param}`` segment, never a literal one. A literal segment
matches a ``{param}`` segment only if that parameter's parser (``assistant.path_params``) accepts it,
so ``/api/kb/campaigns/${id}/revisions`` matches ``/api/kb/{entity}/{entity_id}/revisions`` but
``/api/kb/campaign/${id}/revisions`` does not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.errors import BadRequest, NotFound
from assistant.path_params import PATH_PARAMS
from assistant.routes import ENDPOINTS

STATIC = Path(__file__).resolve().parents[2] / "assistant" / "web" / "static"
API_JS = STATIC / "shared" / "api.js"
HOLE = "{}"
_START = re.compile(r"""(["'`])/api/""")
_COMMENT_LINE = re.compile(r"^\s*(//|/\*|\*)")
_CONCAT = re.compile(r"\s*\+\s*")
_OPERAND = re.compile(r"[\w$.]+(\([^()]*\))?(\[[^\]]*\])?")
_CALL = re.compile(r"""\b(?:call|stream)\(\s*"([A-Z]+)"\s*,\s*(?=["'`])""")
#: api.js's order edits, one per kind: ``price: (orderId, options) => call("POST", `/api/orders/${orderId}/price`...``
_ORDER_EDIT = re.compile(
    r"^\s*(\w+): \(orderId, options\) => call\(\s*\"POST\", `/api/orders/\$\{orderId\}/(\w+)`", re.M
)


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
    code = _code(src)
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


def _code(src: str) -> str:
    return "\n".join("" if _COMMENT_LINE.match(line) else line for line in src.splitlines())


def api_calls(src: str) -> list[tuple[str, str]]:
    """(method, path) of every ``call("METHOD", path)`` / ``stream("METHOD", path)`` in ``src``."""
    code = _code(src)
    return [(m.group(1), normalise(_literal(code, m.end())[0])) for m in _CALL.finditer(code)]


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


def unknown(calls: list[tuple[str, str]], routes: list[tuple[str, str]]) -> list[str]:
    """``METHOD path`` for each call no route of that method matches."""
    return [
        f"{method} {path}"
        for method, path in calls
        if not any(method == want and matches(path, route) for want, route in routes)
    ]


ROUTES = [(endpoint.method, endpoint.path) for endpoint in ENDPOINTS]
SOURCE = API_JS.read_text(encoding="utf-8")


def test_every_call_in_api_js_is_a_route_with_its_method() -> None:
    missing = unknown(api_calls(SOURCE), ROUTES)
    assert not missing, "api.js calls routes the route table does not have:\n" + "\n".join(missing)


def test_every_api_path_in_api_js_is_a_checked_call() -> None:
    """Not vacuous: each quoted ``/api/`` literal of api.js is the path of one ``call``/``stream`` (so
    none escapes the method check), and there are many (about 150 calls today)."""
    calls = api_calls(SOURCE)
    assert [path for _, path in calls] == extract(SOURCE)
    raw = sum(len(_START.findall(line)) for line in SOURCE.splitlines() if not _COMMENT_LINE.match(line))
    assert len(calls) == raw and len(calls) > 120
    assert len({path for _, path in calls}) > 100
    assert {method for method, _ in calls} == {"GET", "POST", "PUT", "DELETE"}
    assert all(path.startswith("/api/") and "?" not in path and "${" not in path for _, path in calls)
    assert ("POST", "/api/orders/{}/address") in calls
    assert ("GET", "/api/events/stream") in calls  # stream("GET", `/api/events/stream?token=${...}`)


def test_no_other_static_file_spells_an_api_path() -> None:
    """api.js is the one place: a page that builds ``/api/...`` itself would escape the check above."""
    files = [f for f in sorted(STATIC.rglob("*")) if f.is_file() and f != API_JS]
    assert len(files) > 50 and any(f.suffix == ".css" for f in files)
    spelt = [f.relative_to(STATIC).as_posix() for f in files if "/api/" in f.read_text(encoding="utf-8")]
    assert spelt == []


def test_the_order_edits_api_js_offers_are_the_ones_the_panel_offers() -> None:
    """The panel posts an edit by its kind (``change.path``) through api.js's ``ORDER_EDITS``: each
    kind the panel's ``edits`` list names has its own literal route there, and no other."""
    panel = (STATIC / "sidebar" / "order_panel.js").read_text(encoding="utf-8")
    offered = re.findall(r'\["(\w+)", T\.op_edit_\w+\]', panel)
    edits = _ORDER_EDIT.findall(SOURCE)
    assert offered == ["price", "postage", "address", "remark"]
    assert [kind for kind, _ in edits] == offered and all(kind == path for kind, path in edits)


def test_api_calls_reads_method_and_path() -> None:
    src = """
    // call("GET", "/api/comment") is prose
    export const a = (id) => call("PUT", `/api/a/${id}?${qs(p)}`, { body });
    export const b = () =>
      call(
        "POST", "/api/b");
    const s = () => stream("GET", `/api/s?token=${encodeURIComponent(token)}`);
    """
    assert api_calls(src) == [("PUT", "/api/a/{}"), ("POST", "/api/b"), ("GET", "/api/s")]


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
    """Drift fails: a misspelt, removed or over-long path, or a wrong method, matches no route, and the
    failure names it."""
    good = [
        ("POST", "/api/orders/{}/address"),
        ("POST", "/api/orders/123456/address"),
        ("GET", "/api/kb/campaigns/{}/revisions"),
        ("POST", "/api/shop-import/orders"),
        ("GET", "/api/me/"),
    ]
    assert unknown(good, ROUTES) == []
    wrong = [
        ("POST", "/api/orders/{}/adress"),  # misspelt
        ("GET", "/api/kb/campaign/{}/revisions"),  # {entity} is one of intents/campaigns/...
        ("POST", "/api/orders/12/address"),  # an order number has 6-24 digits
        ("GET", "/api/me/{}"),  # longer than any route
        ("POST", "/api/orders/{}/{}"),  # a placeholder never stands for a literal segment
        ("GET", "/api/reports/kpis"),
        ("GET", "/api/suggest"),  # the route is a POST
        ("DELETE", "/api/quick-reply-groups"),  # no such method on it
    ]
    assert unknown(wrong, ROUTES) == [f"{method} {path}" for method, path in wrong]

"""Hostile templates: refused at save with a field error saying why; one that slips through (hidden
behind an {% if %}, or stored before the checks) renders its fallback with a finding, never a 500 or a
hang, and /healthz keeps answering while such renders are in flight. Through the real app."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlite_utils
from aiohttp.test_utils import TestClient

from knowledge import store as kb_store
from knowledge.database import AsyncDatabase
from knowledge.models import Campaign, Intent
from knowledge.template_limits import Budget
from knowledge.templates import TemplateProblem, lint, render
from quick_replies import store as qr_store
from quick_replies.models import QuickReply, QuickReplyGroup
from tests.conftest import MiniShop

Auth = Callable[[int], dict[str, str]]

#: name -> a template that would take the service down without the budget
HOSTILE = {
    "power_tower": "{{ (((9**64)**64)**64)**64 }}",
    "multiply": "{% set a = 9**64 %}{{ a*a*a*a*a*a*a*a }}",
    "concat_doubling": "{% set a = 'x'*1000 %}" + "{% set a = a~a %}" * 8 + "{{ a }}",
    "repeat": "{{ 'x' * 100000000 }}",
    "center": "{{ 'x'|center(10**8) }}",
    "replace": "{{ ('x'*1000)|replace('x', 'y'*1000) }}",
    "join": "{{ (['x'*1000]*1000)|join }}",
    "nested_loops": "{% for a in 'x'*1000 %}{% for b in 'x'*1000 %}{% for c in 'x'*1000 %}y{% endfor %}{% endfor %}{% endfor %}",
    "recursive_macro": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "fork_macro": "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "caller_recursion": "{% macro f() %}{% call f() %}x{% endcall %}{{ caller() }}{% endmacro %}{{ f() }}",
    "recursive_loop": "{% for x in [[1], [2]] recursive %}{{ loop(x) }}{% endfor %}",
    "parentheses": "{{ " + "(" * 120 + "1" + ")" * 120 + " }}",
    "not_chain": "{{ " + "not " * 500 + "1 }}",
    "sum_chain": "{{ " + "+".join(["1"] * 900) + " }}",
    "long_literal": "{{ " + "9" * 5000 + " }}",
}
#: guarded by a condition the save-time sample does not meet: the render budget is what stops it
GUARDED_LOOPS = "{% if buyer.nick %}{% set s = 'x'*1000 %}{% for a in s %}{% for b in s %}好{% endfor %}{% endfor %}{% endif %}"


@pytest.mark.parametrize("name", list(HOSTILE))
def test_every_hostile_template_is_refused_fast_in_our_words(name: str) -> None:
    template = HOSTILE[name]
    started = time.perf_counter()
    with pytest.raises(TemplateProblem) as caught:
        render(template, {"buyer": {"nick": "小王"}})
    assert time.perf_counter() - started < 2.0
    findings = caught.value.findings
    assert findings and all(f.kind in ("too_costly", "unsafe") for f in findings), findings
    assert all(_ours(f.message) and f.message_en for f in findings)
    blocking = [f for f in lint(template) if f.kind in ("too_costly", "unsafe", "syntax")]
    assert blocking and all(_ours(f.message) for f in blocking)


def test_guarded_hostile_templates_are_refused_at_lint_or_stopped_by_the_budget() -> None:
    guarded_power = "{% if buyer.nick %}{{ ((9**64)**64)**64 }}{% endif %}"
    assert [f.kind for f in lint(guarded_power)] == ["too_costly"]  # found without rendering
    assert not [f for f in lint(GUARDED_LOOPS) if f.kind == "too_costly"]  # two loops are allowed
    with pytest.raises(TemplateProblem) as caught:
        render(GUARDED_LOOPS, {"buyer": {"nick": "小王"}})
    assert caught.value.findings[0].kind == "too_costly" and "步" in caught.value.findings[0].message
    tight = Budget(cpu_seconds=0.001, steps=10**9, output_chars=10**9)
    with pytest.raises(TemplateProblem, match="毫秒"):
        render(GUARDED_LOOPS, {"buyer": {"nick": "小王"}}, budget=tight)


def test_ordinary_templates_still_render() -> None:
    text = render(
        "{% macro hi(n) %}{{ n }}好{% endmacro %}{{ hi(buyer.nick) }}，{{ 2**10 }} {{ 3 * 4 }} {{ 'ab' ~ 1 }}"
        "{% for x in item.in_box %}{{ x }}、{% endfor %} {{ '-' * 3 }}"
        " {{ item.in_box|join('/') }} {{ [1, 2]|sum }} {{ 'x'|center(5) }}|",
        {"buyer": {"nick": "小王"}, "item": {"in_box": ["主机", "电源"]}},
    ).text
    assert text == "小王好，1024 12 ab1主机、电源、 --- 主机/电源 3   x  |"


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("{{ buyer.nick ", "缺少 }}"),
        ("{% for x in y %}", "{% endfor %}"),
        ("{{ a b }}", "这里应是 }}"),
        ("{% foo %}", "不认识的标签"),
        ("{{ (1 ] }}", "括号不配对"),
        ("{{ 1 }} {% endif %}", "{% endif %}"),
    ],
)
def test_syntax_errors_are_in_our_words(template: str, words: str) -> None:
    (finding,) = lint(template)
    assert finding.kind == "syntax" and words in finding.message and finding.line == 1
    assert _ours(finding.message) and "expected" not in finding.message and "Jinja" not in finding.message
    assert finding.message_en and "Jinja" not in finding.message_en


def _ours(message: str) -> bool:
    """Chinese, and none of Python's or jinja's own words."""
    english = ("Error", "expected token", "is not safely", "object", "Traceback", "unexpected", "Jinja")
    return any("\u4e00" <= ch <= "\u9fff" for ch in message) and not any(w in message for w in english)


# --------------------------------------------------------------------------- #
# through the app: refused at save
# --------------------------------------------------------------------------- #


async def _group(client: TestClient, auth: Auth, shop: MiniShop) -> int:
    response = await client.post(
        "/api/quick-reply-groups", json={"name": "常用"}, headers=auth(shop.editor_id)
    )
    return int((await response.json())["group"]["id"])


@pytest.mark.parametrize("name", ["power_tower", "recursive_macro", "parentheses", "center", "nested_loops"])
async def test_hostile_templates_are_refused_at_save_everywhere(
    client: TestClient, auth: Auth, mini_shop: MiniShop, name: str
) -> None:
    template = HOSTILE[name]
    editor, agent = auth(mini_shop.editor_id), auth(mini_shop.agent_id)
    group = await _group(client, auth, mini_shop)
    now = datetime.now(UTC)
    attempts: list[tuple[str, str, dict[str, Any], dict[str, str], str]] = [
        ("post", "/api/kb/intents", {"shop_id": mini_shop.shop_id, "key": "k", "name": "坏的", "examples": ["问"],
                                     "answers": ["好的", template]}, editor, "answers.1"),
        ("post", "/api/kb/campaigns", {"shop_id": mini_shop.shop_id, "name": "双11", "rules": "满300减40",
                                       "starts_at": now.isoformat(), "ends_at": (now + timedelta(days=1)).isoformat(),
                                       "scripts": [{"kind": "welcome", "situation": "进店", "title": "欢迎",
                                                    "body": template}]}, editor, "scripts.0"),
        ("post", "/api/quick-replies", {"group_id": group, "code": "bad", "title": "坏的", "body": template},
         editor, "body"),
        ("post", "/api/quick-replies", {"group_id": group, "code": "mine", "title": "我的", "body": template,
                                        "scope": "personal", "owner_agent_id": mini_shop.agent_id}, agent, "body"),
    ]  # fmt: skip
    for method, url, body, headers, field in attempts:
        response = await client.request(method, url, json=body, headers=headers)
        assert response.status == 400, (url, await response.text())
        error = await response.json()
        assert error["errors"][0]["field"] == field
        assert _ours(error["errors"][0]["message"]), error


async def test_quick_reply_update_is_linted(client: TestClient, auth: Auth, mini_shop: MiniShop) -> None:
    editor = auth(mini_shop.editor_id)
    group = await _group(client, auth, mini_shop)
    made = await client.post(
        "/api/quick-replies", json={"group_id": group, "code": "ok", "title": "好", "body": "亲 {{ buyer.nick }}"},
        headers=editor,
    )  # fmt: skip
    assert made.status == 201, await made.text()
    phrase = (await made.json())["quick_reply"]
    update = {"group_id": group, "code": "ok", "title": "好", "version": phrase["version"], "body": "{{ x "}
    response = await client.put(f"/api/quick-replies/{phrase['id']}", json=update, headers=editor)
    assert response.status == 400
    message = (await response.json())["errors"][0]["message"]
    assert message.startswith("第 1 行第") and "缺少 }}" in message


async def test_preview_of_hostile_templates_answers_with_findings(
    client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    for template in (HOSTILE["parentheses"], HOSTILE["recursive_macro"], GUARDED_LOOPS, "{{ x "):
        response = await client.post(
            "/api/kb/preview",
            json={"template": template, "context": {"buyer": {"nick": "小王"}}},
            headers=auth(mini_shop.editor_id),
        )
        assert response.status == 200, await response.text()
        body = await response.json()
        assert (
            body["text"] is None and body["findings"] and all(_ours(f["message"]) for f in body["findings"])
        )


# --------------------------------------------------------------------------- #
# through the app: stored before the checks, or slipping past them
# --------------------------------------------------------------------------- #

SLIPPED = HOSTILE["fork_macro"]


@pytest.fixture
def stored_hostile(settings: Any, mini_shop: MiniShop) -> Iterator[None]:
    """Hostile templates written straight into the store (as an older version would have let them)."""
    db = AsyncDatabase(settings.db_path)
    db.open(())

    def seed(c: sqlite_utils.Database) -> None:
        group = qr_store.insert_group(c, QuickReplyGroup(shop_id=mini_shop.shop_id, name="常用"))
        for code, body in (("loops", GUARDED_LOOPS), ("fork", SLIPPED), ("power", HOSTILE["power_tower"])):
            reply = QuickReply(
                shop_id=mini_shop.shop_id, group_id=group, code=code, title=f"坏{code}", body=body
            )
            qr_store.create_quick_reply(c, reply, mini_shop.editor_id)
        intent = Intent(shop_id=mini_shop.shop_id, key="ship", name="发货", examples=["什么时候发货"],
                        keywords=["发货"], answers=[GUARDED_LOOPS])  # fmt: skip
        kb_store.insert_intent(c, intent, mini_shop.editor_id)
        now = datetime.now(UTC)
        campaign = Campaign.model_validate(
            {"shop_id": mini_shop.shop_id, "name": "双11", "rules": "满300减40",
             "starts_at": (now - timedelta(hours=1)).isoformat(), "ends_at": (now + timedelta(days=1)).isoformat(),
             "scripts": [{"kind": "welcome", "situation": "进店", "title": "欢迎", "body": SLIPPED},
                         {"kind": "welcome", "situation": "进店", "title": "正常", "body": "欢迎光临"}]}
        )  # fmt: skip
        kb_store.insert_campaign(c, campaign, mini_shop.editor_id)

    try:
        db.write_sync(seed)
        yield
    finally:
        db.close()


async def test_slipped_through_templates_render_their_fallback_never_a_500(
    stored_hostile: None,
    client: TestClient,
    auth: Auth,
    mini_shop: MiniShop,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="kefu.templates")
    agent = auth(mini_shop.agent_id)
    search = await client.get("/api/quick-replies/search", params={"q": "坏", "buyer": "小王"}, headers=agent)
    assert search.status == 200, await search.text()
    previews = {r["code"]: r["preview"] for r in (await search.json())["results"]}
    assert set(previews) == {"loops", "fork", "power"}
    assert all("{" not in p and len(p) < 200 for p in previews.values()), previews
    suggest = await client.post(
        "/api/suggest",
        json={"shop": mini_shop.shop_id, "message": "什么时候发货", "buyer": "小王"},
        headers=agent,
    )
    assert suggest.status == 200, await suggest.text()
    assert all(
        not q["suggestions"] for q in (await suggest.json())["questions"]
    )  # its only answer is refused
    scripts = await client.get("/api/kb/scripts", params={"shop": mini_shop.shop_id}, headers=agent)
    assert scripts.status == 200, await scripts.text()
    assert [s["text"] for s in (await scripts.json())["scripts"]] == ["欢迎光临"]
    preview = await client.post(
        "/api/kb/preview", json={"template": GUARDED_LOOPS, "context": {"buyer": {"nick": "小王"}}},
        headers=auth(mini_shop.editor_id),
    )  # fmt: skip
    assert [f["kind"] for f in (await preview.json())["findings"]] == ["too_costly"]
    # each refusal is logged by name, and it happened in the render pool, not on the event loop
    refused = [r for r in caplog.records if r.name == "kefu.templates"]
    assert {r.getMessage().split(" not rendered")[0] for r in refused} >= {
        "template of quick reply 1", "template of intent answer 0 1", "template of campaign script 1"
    }  # fmt: skip
    assert refused and all((r.threadName or "").startswith("kefu-render") for r in refused)


async def test_healthz_answers_while_hostile_renders_are_in_flight(
    stored_hostile: None, client: TestClient, auth: Auth, mini_shop: MiniShop
) -> None:
    agent, editor = auth(mini_shop.agent_id), auth(mini_shop.editor_id)

    async def hostile(i: int) -> int:
        if i % 2:  # a template never seen before: nothing is reused, the whole budget is spent
            template = GUARDED_LOOPS.replace("好", f"好{i}")
            body = {"template": template, "context": {"buyer": {"nick": "小王"}}}
            response = await client.post("/api/kb/preview", json=body, headers=editor)
        else:
            params = {"q": "坏", "buyer": f"买家{i}"}
            response = await client.get("/api/quick-replies/search", params=params, headers=agent)
        return response.status

    async def probe() -> float:
        started = time.perf_counter()
        response = await client.get("/healthz")
        assert response.status == 200
        return time.perf_counter() - started

    flight = [asyncio.create_task(hostile(i)) for i in range(10)]
    waits = []
    while not all(t.done() for t in flight):
        waits.append(await probe())
        await asyncio.sleep(0.005)
    assert set(await asyncio.gather(*flight)) == {200}
    assert waits and max(waits) < 1.0, waits  # a render on the loop would hold it for its whole budget


def test_an_over_budget_template_is_refused_at_once_next_time() -> None:
    template = GUARDED_LOOPS.replace("好", "再来")
    context = {"buyer": {"nick": "小王"}}
    with pytest.raises(TemplateProblem) as first:
        render(template, context)
    started = time.thread_time()
    with pytest.raises(TemplateProblem) as again:
        render(template, context)
    assert time.thread_time() - started < 0.005
    assert again.value.findings == first.value.findings
    with pytest.raises(TemplateProblem, match="毫秒"):  # another budget is its own trial
        render(template, context, budget=Budget(cpu_seconds=0.0005, steps=10**9, output_chars=10**9))

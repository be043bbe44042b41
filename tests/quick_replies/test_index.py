"""Scope rules, validity windows, in-place updates, usage ranking and odd input of the lookup index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from quick_replies.render import FALLBACK, render
from tests.quick_replies.phrases import (
    AGENT,
    OTHER_SHOP,
    SHOP,
    STRANGER,
    TEAM,
    TEAMMATE,
    build_library,
    codes,
    edited,
    library_phrases,
    phrase,
)

NOW = datetime(2026, 11, 5, 12, tzinfo=UTC)


def test_personal_phrases_are_seen_by_their_owner_only() -> None:
    library = build_library()
    assert "wdfh" in codes(library, "wdfh", agent=AGENT)
    assert "wdfh" not in codes(library, "wdfh", agent=TEAMMATE)
    assert "wdfh" not in codes(library, "wdfh", agent=STRANGER, team=None)


def test_team_phrases_are_seen_by_the_team_only() -> None:
    library = build_library()
    assert "tdfh" in codes(library, "tdfh", agent=TEAMMATE, team=TEAM)
    assert "tdfh" not in codes(library, "tdfh", agent=STRANGER, team=None)
    assert "tdfh" not in codes(library, "团队发货", agent=STRANGER, team=TEAM + 1)


def test_phrases_of_other_shops_never_appear() -> None:
    library = build_library()
    own = library.search(SHOP, AGENT, TEAM, "发货", 50)
    assert all(r.title != "隔壁店发货" for r in own)
    other = library.search(OTHER_SHOP, AGENT, TEAM, "fh", 50)
    assert [r.title for r in other] == ["隔壁店发货"]
    assert library.search(999, AGENT, TEAM, "fh", 10) == []


def test_disabled_and_expired_phrases_never_appear() -> None:
    phrases = library_phrases()
    phrases.append(phrase(900, "tyfh", "停用的发货话术", "停用", "物流", enabled=False))
    phrases.append(phrase(901, "gqfh", "过期的发货话术", "过期", "物流", valid_until=NOW - timedelta(days=1)))
    phrases.append(phrase(902, "wlfh", "未来的发货话术", "未来", "物流", valid_from=NOW + timedelta(days=1)))
    library = build_library(phrases)
    for code in ("tyfh", "gqfh", "wlfh"):
        assert code not in codes(library, code, moment=NOW)
    assert "wlfh" in codes(library, "wlfh", moment=NOW + timedelta(days=2))
    assert "gqfh" in codes(library, "gqfh", moment=NOW - timedelta(days=2))
    assert not {"tyfh", "gqfh", "wlfh"} & set(codes(library, "", limit=50, moment=NOW))


def test_a_double_11_phrase_switches_itself_on_and_off() -> None:
    start, end = datetime(2026, 11, 10, 16, tzinfo=UTC), datetime(2026, 11, 12, 16, tzinfo=UTC)
    phrases = [
        *library_phrases(),
        phrase(903, "d11kf", "双11开场", "双11来啦", "优惠", valid_from=start, valid_until=end),
    ]
    library = build_library(phrases)
    assert "d11kf" not in codes(library, "d11kf", moment=start - timedelta(minutes=1))
    assert codes(library, "d11kf", moment=start + timedelta(hours=1))[0] == "d11kf"
    assert "d11kf" not in codes(library, "d11kf", moment=end + timedelta(minutes=1))


def test_saves_renames_and_deletes_update_the_index_in_place() -> None:
    library = build_library()
    fh = next(r for r in library_phrases() if r.reply.code == "fh")
    library.publish(edited(fh, code="fhsj", title="发货时效", version=2))
    assert "fh" not in codes(library, "fh")
    assert codes(library, "fhsj")[0] == "fhsj"
    assert codes(library, "fahuoshixiao")[0] == "fhsj"
    library.drop(fh.id)
    assert "fhsj" not in codes(library, "fhsj")
    library.publish(phrase(950, "xin", "新增短语", "刚刚保存的短语", "接待"))
    assert codes(library, "xzdy")[0] == "xin"


def test_many_updates_compact_the_shard_and_keep_results_right() -> None:
    library = build_library()
    for version in range(1, 400):
        library.publish(phrase(960, "zz", f"反复修改{version}", "内容", "接待", version=version))
    assert codes(library, "zz")[0] == "zz"
    assert [r.title for r in library.search(SHOP, AGENT, TEAM, "zz", 1)] == ["反复修改399"]
    assert len(library.index) == len(library_phrases()) + 1


def test_ties_are_broken_by_the_agents_own_recent_use_then_the_team() -> None:
    library = build_library()
    first = codes(library, "fh")
    assert first[:3] == ["fh", "fh2", "fhkd"]
    kd = next(r.id for r in library_phrases() if r.reply.code == "fhkd")
    library.record_use(AGENT, kd, datetime.now(UTC))
    assert codes(library, "fh")[:3] == ["fh", "fhkd", "fh2"]  # used prefix beats unused prefix
    dz = next(r.id for r in library_phrases() if r.reply.code == "fh2")
    for _ in range(3):
        library.record_use(TEAMMATE, dz, datetime.now(UTC))
    assert codes(library, "fh", agent=STRANGER, team=TEAM)[:3] == ["fh", "fh2", "fhkd"]


def test_old_uses_weigh_less_than_recent_ones() -> None:
    library = build_library()
    by_code = {r.reply.code: r.id for r in library_phrases()}
    now = datetime.now(UTC)
    for _ in range(3):
        library.record_use(AGENT, by_code["fh2"], now - timedelta(days=120))
    library.record_use(AGENT, by_code["fhkd"], now)
    assert codes(library, "fh")[1] == "fhkd"


def test_an_empty_query_gives_the_agents_most_used_phrases() -> None:
    library = build_library()
    by_code = {r.reply.code: r.id for r in library_phrases()}
    for code, times in (("jsy", 5), ("tkl", 3), ("wdfh", 1)):
        for _ in range(times):
            library.record_use(AGENT, by_code[code], datetime.now(UTC))
    assert codes(library, "")[:3] == ["jsy", "tkl", "wdfh"]
    assert len(codes(library, "", limit=5)) == 5
    assert "wdfh" not in codes(library, "", agent=TEAMMATE, limit=50)


def test_results_carry_highlights_and_rendered_previews() -> None:
    library = build_library()
    context = {"shop": {"name": "暖居生活旗舰店"}, "agent": {"name": "小美"}}
    [hy] = library.search(SHOP, AGENT, TEAM, "hy", 1, context)
    assert "暖居生活旗舰店" in hy.preview and "小美" in hy.preview and "{{" not in hy.preview
    assert hy.highlights.code == [[0, 2]]
    [fh] = library.search(SHOP, AGENT, TEAM, "發貨時間", 1)
    assert fh.title == "发货时间" and fh.highlights.title == [[0, 4]]
    [body] = library.search(SHOP, AGENT, TEAM, "原路退回", 1)
    start, end = body.highlights.preview[0]
    assert body.preview[start:end] == "原路退回" and body.matched_on == ["body"]
    [py] = library.search(SHOP, AGENT, TEAM, "huankuan", 1)
    assert py.title[slice(*py.highlights.title[0])] == "还款" and "pinyin" in py.matched_on


def test_the_renderer_never_shows_template_syntax() -> None:
    assert render("{{ buyer.nick }}，您好") == "亲，您好"  # the shared fallback for a missing nick
    assert render("亲，{{ buyer.nick }}") == "亲，亲" and render("{{ order.id }}号") == f"{FALLBACK}号"
    assert "{{" not in render("{{ buyer.nick }} {% if %}")
    assert "__" not in render("{{ ''.__class__.__mro__ }}") and "{{" not in render("{{ ''.__class__ }}")
    assert render("{{ item.title }}", {"item": {"title": "四件套"}}) == "四件套"
    assert render("没有模板的短语") == "没有模板的短语"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_unicode_never_crashes_the_search(q: str) -> None:
    results = _LIBRARY.search(SHOP, AGENT, TEAM, q, 10)
    assert len(results) <= 10


def test_control_characters_emoji_and_lone_surrogates() -> None:
    for q in (
        "\ud800",
        "fh\udfff",
        "😀😀",
        "\x00\x07fh",
        "发\u200b货",
        "🔥d11",
        "\U0010ffff" * 100,
        "'" * 30,
    ):
        _LIBRARY.search(SHOP, AGENT, TEAM, q, 10)
    assert codes(_LIBRARY, "\x00fh\x07")[0] == "fh"
    assert codes(_LIBRARY, "发\u200b货")[0] == "fh"


_LIBRARY = build_library()

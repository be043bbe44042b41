"""The review queue's rules one by one, on orders written for each test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.commerce.address import default_regions
from assistant.team import review
from assistant.team.review import OrderFacts, ReviewRules

RULES = ReviewRules(
    min_detail_chars=6,
    remote_provinces=("新疆维吾尔自治区", "西藏自治区"),
    remote_places=("嵊泗县", "海岛"),
    invoice_words=("发票", "开票"),
    gift_words=("赠品", "小样"),
    promise_words=("答应", "加急"),
    chat_days=7,
)
SOUND = OrderFacts(
    province="浙江省", city="杭州市", district="余杭区", detail="文一西路969号3号楼201室", phone="13800138000"
)
PAID = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)


def facts(**changes: str) -> OrderFacts:
    values = {**SOUND.__dict__, **changes}
    return OrderFacts(**values)


def codes(order: OrderFacts) -> list[str]:
    return [r.code for r in review.order_reasons(order, RULES, default_regions())]


def test_a_sound_order_has_no_reason() -> None:
    assert codes(SOUND) == []


def test_no_district_is_incomplete_but_not_in_a_city_without_districts() -> None:
    reason = review.address_incomplete(facts(district=""), RULES)
    assert reason is not None and "区县" in reason.text and "街道" not in reason.text
    dongguan = facts(province="广东省", city="东莞市", district="", detail="长安镇长青南路88号")
    assert review.address_incomplete(dongguan, RULES) is None


@pytest.mark.parametrize("detail", ["文一西路", "家里", "公司前台收"])
def test_a_street_address_too_short_or_without_a_street_is_incomplete(detail: str) -> None:
    reason = review.address_incomplete(facts(detail=detail), RULES)
    assert reason is not None and "街道门牌" in reason.text


def test_a_street_address_naming_another_city_contradicts_the_region() -> None:
    reason = review.region_contradicts(facts(detail="上海市浦东新区张江路88号2楼"), default_regions())
    assert reason is not None and "上海市" in reason.text
    assert codes(facts(detail="上海市浦东新区张江路88号2楼")) == ["region_contradicts"]


def test_a_street_address_naming_another_district_contradicts_it() -> None:
    reason = review.region_contradicts(facts(detail="西湖区文三路478号华星时代广场"), default_regions())
    assert reason is not None and "西湖区" in reason.text and "余杭区" in reason.text


@pytest.mark.parametrize("detail", ["杭州路88号1单元", "东方名苑11号楼3单元2303"])
def test_a_street_or_estate_named_after_a_place_is_no_contradiction(detail: str) -> None:
    qingdao = facts(province="山东省", city="青岛市", district="市南区", detail=detail)
    assert review.region_contradicts(qingdao, default_regions()) is None


def test_remote_provinces_and_islands_are_settings() -> None:
    assert review.remote_area(facts(province="新疆维吾尔自治区", city="乌鲁木齐市", district="天山区"), RULES)
    island = review.remote_area(facts(province="浙江省", city="舟山市", district="嵊泗县"), RULES)
    assert island is not None and "嵊泗县" in island.text
    assert review.remote_area(SOUND, RULES) is None
    assert review.remote_area(SOUND, ReviewRules(remote_places=("余杭区",))) is not None


@pytest.mark.parametrize(
    ("phone", "valid"),
    [
        ("13800138000", True),
        ("+86 138 0013 8000", True),
        ("13800138000-1234", True),  # a virtual number with its extension
        ("0571-88886666", True),
        ("010-62345678-801", True),
        ("12800138000", False),
        ("1380013800", False),
        ("138001380001", False),
        ("", False),
        ("0000-1234567", False),
    ],
)
def test_phone_must_be_a_mainland_mobile_or_landline(phone: str, valid: bool) -> None:
    assert review.phone_valid(phone) is valid
    assert (review.phone_invalid(facts(phone=phone)) is None) is valid


def test_the_buyers_message_asking_for_an_invoice_or_a_gift_or_holding_a_promise() -> None:
    order = facts(buyer_message="麻烦开票，抬头写公司名；客服答应送小样")
    found = [r.code for r in review.message_mentions(order, RULES)]
    assert found == ["message_invoice", "message_gift", "message_promise"]
    assert "开票" in review.message_mentions(order, RULES)[0].text
    assert review.message_mentions(facts(buyer_message="尽快发货谢谢"), RULES) == []


def test_receiver_changed_after_payment_only() -> None:
    before: dict[str, object] = {
        "receiver_name": "张三",
        "receiver_phone": "13800138000",
        "address_detail": "a",
    }
    renamed = {**before, "receiver_name": "李四"}
    moved = {**before, "address_detail": "b"}
    assert review.receiver_changed([(PAID - timedelta(minutes=1), before, renamed)], PAID) is None
    assert review.receiver_changed([(PAID + timedelta(hours=1), before, moved)], PAID) is None
    changed = review.receiver_changed([(PAID + timedelta(hours=1), before, renamed)], PAID)
    assert changed is not None and "收货人" in changed.text


def test_chat_mentions_within_the_look_back_only() -> None:
    created = PAID - timedelta(minutes=5)
    lines = [
        (created - timedelta(days=10), "上次要过发票"),  # too old
        (created - timedelta(hours=2), "拍两件送赠品吗"),
        (created + timedelta(hours=1), "好的，给您加急"),
    ]
    found = review.chat_mentions(lines, created, RULES)
    assert [r.code for r in found] == ["chat_gift", "chat_promise"]


def test_a_risk_flag_is_a_reason_with_its_note() -> None:
    assert review.buyer_risk(None, None) is None
    reason = review.buyer_risk("bad_review_extortion", "以差评要挟退款")
    assert reason is not None and "差评师" in reason.text and "以差评要挟退款" in reason.text


def test_rules_key_changes_with_a_cached_setting_only() -> None:
    assert RULES.key == ReviewRules(**{**RULES.__dict__, "ship_hours": 24}).key
    assert RULES.key != ReviewRules(**{**RULES.__dict__, "min_detail_chars": 3}).key


def test_confirmation_script_masks_the_phone_and_follows_the_reasons() -> None:
    reasons = review.order_reasons(facts(district="", phone="1380013800"), RULES, default_regions())
    text = review.confirmation_script("张三", "13800138000", "浙江省杭州市文一西路969号", reasons)
    assert text.startswith("亲，跟您确认一下收货地址：张三，138****8000")
    assert "门牌号" in text and "手机号" in text


def test_roles_form_a_tree_editor_and_reviewer_side_by_side() -> None:
    from knowledge.models import Role

    assert Role.REVIEWER.allows(Role.AGENT) and Role.EDITOR.allows(Role.AGENT)
    assert not Role.REVIEWER.allows(Role.EDITOR) and not Role.EDITOR.allows(Role.REVIEWER)
    assert all(Role.SUPERVISOR.allows(role) for role in Role)
    assert not Role.AGENT.allows(Role.REVIEWER) and not Role.REVIEWER.allows(Role.SUPERVISOR)

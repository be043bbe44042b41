"""Every model refuses bad values with a message naming the field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from assistant.commerce.models import Address, Buyer, LogisticsEvent, Order, OrderLine
from assistant.errors import field_errors
from knowledge.models import (
    Agent,
    Campaign,
    CampaignScript,
    Intent,
    Item,
    ItemKnowledge,
    RelatedItem,
    Shop,
    SynonymGroup,
    UsageEvent,
)
from quick_replies.models import QuickReply, QuickReplyGroup, fold_code

NOW = datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
ADDRESS = {
    "name": "张三",
    "phone": "13800138000",
    "province": "浙江省",
    "city": "杭州市",
    "district": "余杭区",
    "detail": "文一西路969号",
}
ORDER = {
    "id": "3021123456789012",
    "shop_id": 1,
    "buyer_id": 1,
    "status": "paid",
    "created_at": NOW,
    "price_fen": 19900,
    "address": ADDRESS,
}
VALID: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (Shop, {"id": 1, "code": "nuanju", "name": "暖居生活旗舰店"}),
    (Agent, {"id": 1, "login": "xiaomei", "name": "小美", "role": "agent", "main_shop_id": 1}),
    (
        Item,
        {
            "id": 1,
            "shop_id": 1,
            "sku": "BD-0001",
            "title": "纯棉四件套",
            "category": "床上用品",
            "price_fen": 29900,
            "stock": 10,
        },
    ),
    (ItemKnowledge, {"item_id": 1, "selling_points": ["A类纯棉"]}),
    (RelatedItem, {"item_id": 1, "related_item_id": 2}),
    (
        Intent,
        {
            "shop_id": 1,
            "key": "ship_time",
            "name": "发货时间",
            "examples": ["什么时候发货"],
            "answers": ["48小时内发货"],
        },
    ),
    (CampaignScript, {"kind": "welcome", "title": "欢迎", "body": "欢迎光临"}),
    (
        Campaign,
        {
            "shop_id": 1,
            "name": "双11",
            "starts_at": "2026-11-01T00:00:00+08:00",
            "ends_at": "2026-11-12T00:00:00+08:00",
        },
    ),
    (SynonymGroup, {"shop_id": 1, "words": ["发货", "寄出"]}),
    (UsageEvent, {"shop_id": 1, "agent_id": 1, "kind": "quick_reply", "ref_id": 3, "at": NOW}),
    (QuickReplyGroup, {"shop_id": 1, "name": "发货物流"}),
    (
        QuickReply,
        {"shop_id": 1, "group_id": 1, "code": "fh", "title": "发货时间", "body": "亲，48小时内发货"},
    ),
    (Buyer, {"id": 1, "shop_id": 1, "nick": "小鹿爱吃糖", "first_seen_at": NOW}),
    (Address, ADDRESS),
    (OrderLine, {"item_id": 1, "sku": "BD-0001", "title": "四件套", "unit_price_fen": 100, "quantity": 1}),
    (LogisticsEvent, {"at": NOW, "status": "in_transit", "description": "到达杭州转运中心"}),
    (Order, ORDER),
]

BAD: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (Shop, {"code": "Bad Code!"}, "code"),
    (Agent, {"role": "admin"}, "role"),
    (Item, {"price_fen": 299.5}, "price_fen"),
    (Item, {"price_fen": 0}, "price_fen"),
    (Item, {"stock": -1}, "stock"),
    (Item, {"title": ""}, "title"),
    (Item, {"title": "x" * 61}, "title"),
    (ItemKnowledge, {"selling_points": ["x" * 201]}, "selling_points.0"),
    (RelatedItem, {"related_item_id": 1}, "RelatedItem"),
    (Intent, {"examples": []}, "examples"),
    (Intent, {"answers": []}, "answers"),
    (Intent, {"topic": "gossip"}, "topic"),
    (CampaignScript, {"kind": "farewell"}, "kind"),
    (Campaign, {"ends_at": "2026-10-01T00:00:00+08:00"}, "Campaign"),
    (Campaign, {"starts_at": "2026-11-01T00:00:00"}, "Campaign"),
    (SynonymGroup, {"words": ["发货"]}, "words"),
    (UsageEvent, {"kind": "email"}, "kind"),
    (QuickReplyGroup, {"name": "x" * 31}, "name"),
    (QuickReply, {"code": "发货"}, "code"),
    (QuickReply, {"code": ""}, "code"),
    (QuickReply, {"scope": "team"}, "QuickReply"),
    (QuickReply, {"body": "a\x00b"}, "body"),
    (Buyer, {"platform_level": 9}, "platform_level"),
    (Buyer, {"risk_flag": "bad_review_extortion"}, "Buyer"),
    (Buyer, {"member_tier": "vip"}, "member_tier"),
    (Address, {"phone": "12345"}, "phone"),
    (Address, {"phone": "23800138000"}, "phone"),
    (OrderLine, {"quantity": 0}, "quantity"),
    (LogisticsEvent, {"status": "lost"}, "status"),
    (Order, {"status": "shipping"}, "status"),
    (Order, {"postage_fen": -100}, "postage_fen"),
    (Order, {"price_fen": "19900"}, "price_fen"),
    (Order, {"remark_flag": "orange"}, "remark_flag"),
    (Order, {"id": "ABC123"}, "id"),
    (Order, {"unexpected": 1}, "unexpected"),
]


@pytest.mark.parametrize(("model", "data"), VALID, ids=[m.__name__ for m, _ in VALID])
def test_valid_examples_pass(model: type[BaseModel], data: dict[str, Any]) -> None:
    model.model_validate(data)


@pytest.mark.parametrize(("model", "change", "field"), BAD, ids=[f"{m.__name__}-{f}" for m, _, f in BAD])
def test_bad_values_are_refused_naming_the_field(
    model: type[BaseModel], change: dict[str, Any], field: str
) -> None:
    data = dict(dict(VALID)[model])
    data.update(change)
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    errors = field_errors(caught.value)
    assert errors, "no field error"
    named = {e["field"] for e in errors}
    assert field in named or (field == model.__name__ and named == {"body"}), named
    assert all(e["message"] for e in errors)


def test_short_codes_fold_to_half_width_lower_case() -> None:
    assert fold_code("ＦＨ２") == "fh2"
    assert QuickReply.model_validate({**dict(VALID)[QuickReply], "code": " FH2 "}).code == "fh2"


def test_money_is_never_a_float() -> None:
    with pytest.raises(ValidationError, match="price_fen"):
        Order.model_validate({**ORDER, "price_fen": 199.0})


def test_length_limits_on_text_count_characters_and_on_lists_items() -> None:
    """Text fields check their length after a validator, where pydantic calls it "items"."""
    with pytest.raises(ValidationError) as caught:
        Shop.model_validate({"id": 1, "code": "s", "name": "店" * 61})
    assert {e["field"]: e["message"] for e in field_errors(caught.value)} == {"name": "最多 60 个字符"}
    with pytest.raises(ValidationError) as caught:
        Intent.model_validate({"shop_id": 1, "key": "k", "name": "n", "examples": [], "answers": ["好"]})
    assert "项" in field_errors(caught.value)[0]["message"]

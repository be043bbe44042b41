"""Sanity checks of the hand-written demo shop content."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime

import pytest

from assistant.demo.content import campaign, catalog, intents, people, quick_replies

PLACEHOLDER_RE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
CODE_RE = re.compile(r"^[a-z]+[0-9]?$")
SKU_RE = re.compile(r"^[A-Z]{2}-\d{4}$")
FILLER_RE = re.compile(r"[Xx×＊*]{2,}(?=[\u4e00-\u9fff])|某某")
KEY_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")

# Characters that only occur in Traditional Chinese text.
TRADITIONAL = set(
    "發貨麼們這個購買賣錢說話讓請問實運達單號還換碼嗎會員優質訂裝燈電鍋樣費額張開關為點過時間郵幫長"
    "顏寬麵線條紅綠藍淺檯壞飯爐臥廳廚區給謝對應該嬰兒寶聯絡係補報價漲變幾處試體驗評帳戶確認簽遞員顯擺"
)

# Misspellings and homophones buyers really type (发火 for 发货, 退宽 for 退款 ...).
TYPO_MARKERS = (
    "发火", "退宽", "快第", "物留", "勿流", "尺马", "优惠卷", "在马", "材只", "地止", "地纸", "包油",
    "质亮", "按装", "颜涩", "付宽", "增品", "尾宽", "运废", "宝背", "酷存", "发漂", "换或", "推货",
    "定经", "几填", "收倒", "价个", "啥时侯", "灯炮", "台头", "览收", "签受", "派松", "花贝", "银航卡",
    "起求", "未道", "露发", "运费线", "快递圆", "会圆", "积份", "预受", "冲电", "摇控", "查不倒", "抬灯",
    "从新", "介个", "木有", "入会圆",
)  # fmt: skip


def _has_emoji_or_fullwidth(text: str) -> bool:
    for char in text:
        point = ord(char)
        if 0x1F300 <= point <= 0x1FAFF or 0x2600 <= point <= 0x27BF or 0xFF10 <= point <= 0xFF5A:
            return True
    return False


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)


def _all_phrases() -> list[quick_replies.QuickReplySpec]:
    personal = [phrase for phrases in quick_replies.PERSONAL.values() for phrase in phrases]
    return quick_replies.all_phrases() + personal


# ----------------------------------------------------------------- catalog


def test_catalog_counts_and_determinism() -> None:
    items = catalog.build_items()
    assert 5 <= len(catalog.CATEGORIES) <= 6
    assert len(items) >= 160
    assert items == catalog.build_items()
    assert items != catalog.build_items(seed=12)  # the seed drives stock levels
    names = {category["name"] for category in catalog.CATEGORIES}
    assert {item["category"] for item in items} == names
    empty = sum(1 for item in items if item["stock"] == 0)
    assert 0.05 <= empty / len(items) <= 0.11


def test_catalog_items_read_as_products() -> None:
    items = catalog.build_items()
    skus = [item["sku"] for item in items]
    assert len(set(skus)) == len(skus)
    known = set(skus)
    titles = Counter(item["title"] for item in items)
    assert max(titles.values()) == 1
    for item in items:
        assert SKU_RE.match(item["sku"]), item["sku"]
        assert 15 <= len(item["title"]) <= 40, item["title"]
        assert item["price_fen"] > 0 and item["stock"] >= 0
        assert 3 <= len(item["selling_points"]) <= 5
        assert item["attributes"] and item["in_box"] and item["usage_notes"]
        assert 1 <= len(item["related_skus"]) <= 4
        assert item["sku"] not in item["related_skus"]
        assert set(item["related_skus"]) <= known
    by_category: dict[str, list[catalog.ItemSpec]] = {}
    for item in items:
        by_category.setdefault(item["category"], []).append(item)
    assert all(item["size_chart"] for item in by_category["家居服"])
    assert all(item["installation"] for item in by_category["灯具照明"])
    assert all(item["installation"] for item in by_category["厨房电器"])
    sheet_sets = [item for item in items if item["product_key"] == "sheet_set"]
    assert sheet_sets and all(item["size_chart"] and "1.8m" in str(item["size_chart"]) for item in sheet_sets)


def test_hot_skus_exist_and_are_in_stock() -> None:
    items = {item["sku"]: item for item in catalog.build_items()}
    assert len(catalog.HOT_SKUS) == 20 == len(set(catalog.HOT_SKUS))
    for sku in catalog.HOT_SKUS:
        assert items[sku]["stock"] > 0


# ----------------------------------------------------------- quick replies


def test_quick_reply_counts() -> None:
    assert len(quick_replies.GROUPS) >= 12
    assert len(quick_replies.all_phrases()) >= 320
    assert sorted(quick_replies.PERSONAL) == ["ajie", "xiaomei"]
    assert all(len(phrases) == 5 for phrases in quick_replies.PERSONAL.values())
    keys = [group["key"] for group in quick_replies.GROUPS]
    assert len(set(keys)) == len(keys)


def test_quick_reply_codes_unique_and_well_formed() -> None:
    phrases = _all_phrases()
    codes = [phrase["code"] for phrase in phrases]
    duplicates = [code for code, count in Counter(codes).items() if count > 1]
    assert not duplicates
    known = set(codes)
    for code in codes:
        assert 1 <= len(code) <= 6 and CODE_RE.match(code), code
        if code[-1].isdigit():
            assert code[:-1] in known, f"{code} numbers a variant of a missing code"


def test_quick_reply_texts() -> None:
    phrases = _all_phrases()
    with_placeholder = 0
    for phrase in phrases:
        assert 2 <= len(phrase["title"]) <= 10, phrase["title"]
        assert 15 <= len(phrase["body"]) <= 120, phrase["body"]
        assert phrase["tags"]
        found = PLACEHOLDER_RE.findall(phrase["body"])
        assert set(found) <= quick_replies.PLACEHOLDERS, found
        assert phrase["body"].count("{{") == len(found) and "{%" not in phrase["body"]
        with_placeholder += bool(found)
    assert 0.12 <= with_placeholder / len(phrases) <= 0.35
    for group in quick_replies.GROUPS:
        assert all(phrase["campaign_only"] is (group["key"] == "double11") for phrase in group["phrases"])
    text = " ".join(phrase["title"] + phrase["body"] for phrase in phrases)
    for word in ("还款", "还是", "快递员", "重庆", "长度", "长大", "重新", "便宜", "银行", "调货"):
        assert word in text, word


def test_quick_replies_render_with_jinja() -> None:
    jinja2 = pytest.importorskip("jinja2")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    context = {
        "buyer": {"nick": "小鹿爱吃糖", "name": "王芳"},
        "item": {"title": "暖居 60支长绒棉四件套"},
        "order": {"id": "3921", "tracking_no": "YT1234567890123", "courier": "圆通速递"},
        "campaign": {"name": "双11狂欢节", "discount": "每满300减50", "ship_days": "3", "gift": "定制收纳袋"},
        "shop": {"name": catalog.SHOP_NAME},
        "agent": {"name": "小美"},
    }
    for phrase in _all_phrases():
        assert "{{" not in env.from_string(phrase["body"]).render(context)
    for script in campaign.DOUBLE11["scripts"]:
        assert "{{" not in env.from_string(script["body"]).render(context)


# ----------------------------------------------------------------- intents


def test_intent_shapes() -> None:
    assert len(intents.INTENTS) >= 130
    keys = [intent["key"] for intent in intents.INTENTS]
    assert len(set(keys)) == len(keys)
    for intent in intents.INTENTS:
        assert KEY_RE.match(intent["key"]), intent["key"]
        assert 2 <= len(intent["name"]) <= 12, intent["name"]
        assert 2 <= len(intent["keywords"]) <= 5, intent["key"]
        assert len(intent["examples"]) >= 7, intent["key"]
        assert len(set(intent["examples"])) == len(intent["examples"]), intent["key"]
        assert 1 <= len(intent["answers"]) <= 3
        assert intent["topic"] in intents.TOPICS
        statuses = intent["requires_order_status"]
        assert statuses is None or (statuses and set(statuses) <= set(intents.ORDER_STATUSES))
        for answer in intent["answers"]:
            assert 20 <= len(answer) <= 120, answer
            assert set(PLACEHOLDER_RE.findall(answer)) <= intents.PLACEHOLDERS
    assert len({intent["topic"] for intent in intents.INTENTS}) >= 12


def test_intent_examples_are_messy_like_real_buyers() -> None:
    examples = [text for intent in intents.INTENTS for text in intent["examples"]]
    traditional = sum(1 for text in examples if TRADITIONAL & set(text))
    typos = sum(1 for text in examples if any(marker in text for marker in TYPO_MARKERS))
    emoji = sum(1 for text in examples if _has_emoji_or_fullwidth(text))
    assert traditional >= 120, traditional
    assert typos >= 60, typos
    assert emoji >= 60, emoji


def test_hot_item_intents() -> None:
    items = {item["sku"]: item for item in catalog.build_items()}
    per_sku = Counter(hot["sku"] for hot in intents.HOT_ITEM_INTENTS)
    assert set(per_sku) == set(intents.HOT_SKUS)
    assert all(count == 2 for count in per_sku.values())
    keys = [hot["key"] for hot in intents.HOT_ITEM_INTENTS]
    assert len(set(keys)) == len(keys)
    for hot in intents.HOT_ITEM_INTENTS:
        assert hot["sku"] in items
        assert KEY_RE.match(hot["key"])
        assert len(hot["examples"]) >= 4
        assert 1 <= len(hot["answers"]) <= 2
        assert all(20 <= len(answer) <= 120 for answer in hot["answers"])


def test_synonyms() -> None:
    assert len(intents.SYNONYMS) >= 25
    assert all(len(group) >= 2 and len(set(group)) == len(group) for group in intents.SYNONYMS)


# ---------------------------------------------------------------- campaign


def test_double11_campaign() -> None:
    spec = campaign.DOUBLE11
    assert spec["name"] == "双11狂欢节"
    start = datetime.fromisoformat(spec["starts_at"])
    end = datetime.fromisoformat(spec["ends_at"])
    assert start.tzinfo is None and end.tzinfo is None and start < end
    assert {"discount", "ship_days", "gift", "deposit"} <= set(spec["variables"])
    kinds = Counter(script["kind"] for script in spec["scripts"])
    assert kinds["welcome"] >= 2 and kinds["waiting"] >= 2 and kinds["closing"] >= 3
    assert kinds["auto_reply"] >= 1 and kinds["emergency"] >= 4
    situations = {script["situation"] for script in spec["scripts"] if script["kind"] == "emergency"}
    assert set(campaign.EMERGENCY_SITUATIONS) <= situations
    for script in spec["scripts"]:
        assert (script["situation"] is not None) is (script["kind"] == "emergency")
        assert set(PLACEHOLDER_RE.findall(script["body"])) <= campaign.SCRIPT_PLACEHOLDERS
    auto = [script["body"] for script in spec["scripts"] if script["kind"] == "auto_reply"]
    assert any("campaign.discount" in body for body in auto)


# ------------------------------------------------------------------ people


def test_people_material() -> None:
    provinces = {province for province, _, _ in people.REGIONS}
    assert len(provinces) >= 20
    districts = {district for _, _, district in people.REGIONS}
    assert {"临平区", "钱塘区", "浦东新区"} <= districts
    assert ("上海市", "上海市", "浦东新区") in people.REGIONS
    assert len({courier["code"] for courier in people.COURIERS}) == len(people.COURIERS) >= 7
    rng = random.Random(5)
    for courier in people.COURIERS:
        number = people.make_tracking_no(courier, rng)
        assert re.match(courier["pattern"], number), number
    fields = {
        "courier": "中通快递", "origin": "杭州市", "origin_hub": "杭州转运中心", "hub": "武汉转运中心",
        "city": "武汉市", "district": "洪山区", "name": "刘师傅", "phone": "13800001111",
    }  # fmt: skip
    stages = {step["stage"] for step in people.LOGISTICS_STEPS}
    assert stages == {"collected", "in_transit", "dispatching", "delivered", "exception"}
    for step in people.LOGISTICS_STEPS:
        assert "{" not in step["text"].format(**fields)
        assert step["is_exception"] is (step["stage"] == "exception")
    assert len(people.RISK_NOTES) >= 6 and len(people.BUYER_NOTES) >= 10 and len(people.REMARKS) >= 10
    first = [people.make_nick(random.Random(3)) for _ in range(3)]
    assert len(set(first)) == 1
    nicks = {people.make_nick(rng) for _ in range(200)}
    assert len(nicks) > 150
    assert all(len(people.make_mobile(rng)) == 11 for _ in range(20))
    assert all(people.make_street_address(rng) for _ in range(20))


def test_no_placeholder_text_left() -> None:
    sources: list[object] = [
        catalog.CATEGORIES,
        catalog.build_items(),
        quick_replies.GROUPS,
        quick_replies.PERSONAL,
        intents.INTENTS,
        intents.HOT_ITEM_INTENTS,
        intents.SYNONYMS,
        campaign.DOUBLE11,
        people.REGIONS,
        people.STREETS,
        people.BUYER_NOTES,
        people.RISK_NOTES,
        people.REMARKS,
        people.LOGISTICS_STEPS,
        people.NICK_PARTS,
    ]
    for text in _strings(sources):
        lowered = text.lower()
        assert "todo" not in lowered and "lorem" not in lowered, text
        assert not FILLER_RE.search(text), text

"""TypedDict shapes shared by the demo content modules."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

# ---------------------------------------------------------------- catalog


class CategorySpec(TypedDict):
    """A shop category; ``code`` is the SKU prefix (``"BD"`` → ``BD-0001``)."""

    code: str
    name: str
    description: str


class VariantSpec(TypedDict):
    """One value on a variant axis (a size, a colour, a capacity...)."""

    label: str
    price_delta_fen: int
    attributes: dict[str, str]
    in_box: NotRequired[list[str]]  # replaces the product's in_box when given


class ProductSpec(TypedDict):
    """A base product; every combination of its axes becomes one item."""

    key: str
    category: str  # CategorySpec["code"]
    title: str
    price_fen: int
    attributes: dict[str, str]
    axes: list[list[VariantSpec]]
    selling_points: list[str]
    size_chart: str | None
    installation: str | None
    usage_notes: str
    in_box: list[str]
    related: list[str]  # keys of other base products


class ItemSpec(TypedDict):
    """One sellable item (宝贝) as the generator loads it."""

    sku: str
    product_key: str
    title: str
    category: str  # CategorySpec["name"], e.g. "床上用品"
    price_fen: int
    stock: int
    attributes: dict[str, str]
    selling_points: list[str]
    size_chart: str | None
    installation: str | None
    usage_notes: str
    in_box: list[str]
    related_skus: list[str]


# ----------------------------------------------------------- quick replies


class QuickReplySpec(TypedDict):
    code: str
    title: str
    body: str
    tags: list[str]
    campaign_only: bool


class QuickReplyGroupSpec(TypedDict):
    key: str  # ascii slug
    name: str
    phrases: list[QuickReplySpec]


# ----------------------------------------------------------------- intents

Topic = Literal[
    "presale",
    "product",
    "size",
    "price",
    "payment",
    "shipping",
    "logistics",
    "address",
    "invoice",
    "return",
    "refund",
    "quality",
    "membership",
    "campaign",
    "usage",
    "review",
]

OrderStatus = Literal[
    "unpaid",
    "paid",
    "shipped",
    "delivered",
    "refunding",
    "closed",
]


class IntentSpec(TypedDict):
    key: str
    name: str
    topic: Topic
    keywords: list[str]
    examples: list[str]
    answers: list[str]
    requires_order_status: list[OrderStatus] | None


class HotItemIntentSpec(TypedDict):
    key: str
    sku: str
    name: str
    topic: Topic
    examples: list[str]
    answers: list[str]


# ---------------------------------------------------------------- campaign

ScriptKind = Literal["welcome", "waiting", "closing", "emergency", "auto_reply"]


class CampaignScriptSpec(TypedDict):
    kind: ScriptKind
    title: str
    body: str
    situation: str | None  # only for kind == "emergency"


class CampaignSpec(TypedDict):
    key: str
    name: str
    starts_at: str  # naive ISO, Asia/Shanghai implied
    ends_at: str
    rules: str
    variables: dict[str, str]
    scripts: list[CampaignScriptSpec]


# ------------------------------------------------------------------ people


class NickPartsSpec(TypedDict):
    subjects: list[str]
    actions: list[str]
    modifiers: list[str]
    nouns: list[str]
    latin_prefixes: list[str]
    patterns: list[str]


class CourierSpec(TypedDict):
    code: str
    name: str
    hotline: str
    prefix: str
    digits: int  # random digits after the prefix
    pattern: str  # regular expression a tracking number matches


LogisticsStage = Literal["collected", "in_transit", "dispatching", "delivered", "exception"]


class LogisticsStepSpec(TypedDict):
    code: str
    stage: LogisticsStage
    text: str  # str.format fields, see people.LOGISTICS_STEPS
    is_exception: bool


RiskKind = Literal["bad_review_extortion", "professional_claimant", "malicious_complaint"]


class RiskNoteSpec(TypedDict):
    kind: RiskKind
    label: str
    note: str


FlagColour = Literal["red", "yellow", "green", "blue", "purple"]


class RemarkSpec(TypedDict):
    flag: FlagColour
    text: str


def variant(
    label: str,
    price_delta_fen: int = 0,
    attributes: dict[str, str] | None = None,
    in_box: list[str] | None = None,
) -> VariantSpec:
    """Build a :class:`VariantSpec` with less noise in the data modules."""
    spec: VariantSpec = {
        "label": label,
        "price_delta_fen": price_delta_fen,
        "attributes": dict(attributes or {}),
    }
    if in_box is not None:
        spec["in_box"] = list(in_box)
    return spec


def intent(
    key: str,
    name: str,
    topic: Topic,
    keywords: str,
    examples: str,
    *answers: str,
    status: tuple[OrderStatus, ...] = (),
) -> IntentSpec:
    """Build an :class:`IntentSpec`; ``keywords`` and ``examples`` are ``|``-separated."""
    return {
        "key": key,
        "name": name,
        "topic": topic,
        "keywords": [word for word in keywords.split("|") if word],
        "examples": [text for text in examples.split("|") if text],
        "answers": list(answers),
        "requires_order_status": list(status) or None,
    }

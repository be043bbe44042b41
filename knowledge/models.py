"""Entities of the knowledge base, validated at every boundary (store, API, import/export).

Money is integer fen (分) everywhere; a float is refused, never rounded.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator


class Model(BaseModel):
    """Base of every entity: unknown fields are errors, text is stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_default=True)


def _no_control_chars(value: str) -> str:
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
        raise ValueError("不能包含控制字符")
    return value


Text = Annotated[str, AfterValidator(_no_control_chars)]
Name = Annotated[Text, StringConstraints(min_length=1, max_length=60)]
ShortText = Annotated[Text, StringConstraints(max_length=200)]
LongText = Annotated[Text, StringConstraints(max_length=4000)]
Fen = Annotated[int, Field(strict=True, ge=0, le=10_000_000_00, description="amount in fen (1 yuan = 100)")]
PositiveFen = Annotated[int, Field(strict=True, gt=0, le=10_000_000_00, description="amount in fen, > 0")]
Id = Annotated[int, Field(strict=True, gt=0)]
Version = Annotated[int, Field(strict=True, ge=1)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class Role(StrEnum):
    """What an agent may do: agents use, editors edit the knowledge base, order reviewers check paid
    orders before shipping, refund reviewers decide buyers' refund requests, supervisors approve and
    may do everything.

    Not a line but a small tree: an editor, an order reviewer and a refund reviewer may each do what an
    agent may, none what the others may; a supervisor may do what all of them may.
    """

    AGENT = "agent"
    REVIEWER = "reviewer"
    REFUND_REVIEWER = "refund_reviewer"
    EDITOR = "editor"
    SUPERVISOR = "supervisor"

    @property
    def rank(self) -> int:
        """1 agent, 2 editor, order reviewer or refund reviewer (side by side), 3 supervisor."""
        return {"agent": 1, "reviewer": 2, "refund_reviewer": 2, "editor": 2, "supervisor": 3}[self.value]

    def allows(self, needed: Role) -> bool:
        """A supervisor may do anything; the others what their own role and an agent may."""
        return self is needed or needed is Role.AGENT or self is Role.SUPERVISOR


class Shop(Model):
    id: Id
    code: Code
    name: Name
    platform: Annotated[str, StringConstraints(pattern=r"^(tmall|taobao)$")] = "tmall"
    timezone: Name = "Asia/Shanghai"


class Agent(Model):
    id: Id
    login: Code
    name: Name
    role: Role
    main_shop_id: Id
    team_id: Id | None = None
    shop_ids: list[Id] = Field(default_factory=list, description="shops the agent is logged into")
    active: bool = True


class Item(Model):
    id: Id
    shop_id: Id
    sku: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
    title: Annotated[Text, StringConstraints(min_length=1, max_length=60)]
    category: Name
    price_fen: PositiveFen
    stock: Annotated[int, Field(strict=True, ge=0)]
    attributes: dict[Name, ShortText] = Field(default_factory=dict)
    on_sale: bool = True
    version: Version = 1


class ItemKnowledge(Model):
    """What an agent needs to answer questions about one item."""

    item_id: Id
    selling_points: list[ShortText] = Field(default_factory=list, max_length=12)
    size_chart: LongText | None = None
    installation: LongText | None = None
    usage_notes: LongText | None = None
    in_box: list[ShortText] = Field(default_factory=list, max_length=30)
    version: Version = 1


class RelatedItem(Model):
    item_id: Id
    related_item_id: Id
    note: ShortText = ""
    position: Annotated[int, Field(ge=0)] = 0

    @model_validator(mode="after")
    def _not_itself(self) -> RelatedItem:
        if self.item_id == self.related_item_id:
            raise ValueError("商品不能和自己搭配推荐")
        return self


class IntentTopic(StrEnum):
    PRESALE = "presale"
    SHIPPING = "shipping"
    LOGISTICS = "logistics"
    SIZE = "size"
    PRICE = "price"
    PAYMENT = "payment"
    INVOICE = "invoice"
    AFTERSALES = "aftersales"
    RETURN = "return"
    REFUND = "refund"
    QUALITY = "quality"
    USAGE = "usage"
    REVIEW = "review"
    ADDRESS = "address"
    MEMBERSHIP = "membership"
    CAMPAIGN = "campaign"
    PRODUCT = "product"
    GENERAL = "general"


class Intent(Model):
    """A buyer's question in many phrasings, and the answers to it."""

    id: Id | None = None
    shop_id: Id
    key: Code
    name: Name
    topic: IntentTopic = IntentTopic.GENERAL
    keywords: list[Name] = Field(default_factory=list, max_length=30)
    examples: list[Annotated[Text, StringConstraints(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=500
    )
    answers: list[Annotated[Text, StringConstraints(min_length=1, max_length=1000)]] = Field(
        min_length=1, max_length=20
    )
    item_id: Id | None = Field(None, description="set for a hot-item answer bound to one item")
    campaign_id: Id | None = None
    enabled: bool = True
    version: Version = 1


class ScriptKind(StrEnum):
    WELCOME = "welcome"
    WAITING = "waiting"
    CLOSING = "closing"
    EMERGENCY = "emergency"
    AUTO_REPLY = "auto_reply"


class CampaignScript(Model):
    id: Id | None = None
    campaign_id: Id | None = None
    kind: ScriptKind
    situation: ShortText = ""
    title: Name
    body: Annotated[Text, StringConstraints(min_length=1, max_length=1000)]
    position: Annotated[int, Field(ge=0)] = 0
    version: Version = 1


class Campaign(Model):
    """A sales event (双11, 聚划算): its time window, rules, variables and scripts."""

    id: Id | None = None
    shop_id: Id
    name: Name
    starts_at: datetime
    ends_at: datetime
    rules: LongText = ""
    variables: dict[Code, ShortText] = Field(default_factory=dict)
    scripts: list[CampaignScript] = Field(default_factory=list)
    version: Version = 1

    @model_validator(mode="after")
    def _window(self) -> Campaign:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("活动时间需要带时区，例如 2026-11-11T00:00:00+08:00")
        if self.ends_at <= self.starts_at:
            raise ValueError("活动结束时间必须晚于开始时间")
        return self

    def active_at(self, moment: datetime) -> bool:
        return self.starts_at <= moment <= self.ends_at


class SynonymGroup(Model):
    """Words buyers use for the same thing (发货 ≈ 寄出 ≈ 发出)."""

    id: Id | None = None
    shop_id: Id
    words: list[Annotated[Text, StringConstraints(min_length=1, max_length=20)]] = Field(
        min_length=2, max_length=30
    )
    version: Version = 1


class RevisionAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    ROLLBACK = "rollback"


class Revision(Model):
    """One saved state of a knowledge row: who changed it, when, and what it was before and after."""

    id: Id
    entity: Name
    entity_id: Id
    version: Annotated[int, Field(strict=True, ge=0)] = Field(
        description="the row's version in that state; 0: before the row existed (an item's knowledge "
        "before its first save)"
    )
    action: RevisionAction
    agent_id: Id | None
    agent_name: str | None = Field(None, description="who saved it, for people reading the history")
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class UsageKind(StrEnum):
    QUICK_REPLY = "quick_reply"
    INTENT = "intent"
    SCRIPT = "script"


class UsageEvent(Model):
    """An agent used a phrase, an intent's answer or a script (and maybe edited it before sending)."""

    shop_id: Id
    agent_id: Id
    kind: UsageKind
    ref_id: Id
    conversation: Annotated[str, StringConstraints(max_length=100)] = ""
    edited: bool = False
    at: datetime

"""Request and response models of the knowledge API (``assistant.api.knowledge``): suggestions,
template preview, an item's knowledge, the active campaign scripts."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from assistant.conversations.context import campaign_context as campaign_context  # watch.py reads it here
from assistant.conversations.suggest import SuggestOut as SuggestOut  # the route table reads it here
from knowledge.item_knowledge import RelatedView
from knowledge.models import Id, ItemKnowledge, Model, ScriptKind
from knowledge.template_context import SAMPLE_CONTEXTS
from knowledge.templates import Finding

MAX_MESSAGE = 1000
OrderStatus = Literal[
    "awaiting_payment", "paid", "shipped", "delivered", "completed", "cancelled", "refunding", "refunded"
]


class SuggestIn(Model):
    shop: Id
    message: Annotated[str, StringConstraints(max_length=MAX_MESSAGE)] = Field(
        description=f"the buyer's message (1–{MAX_MESSAGE} characters)"
    )
    buyer: Annotated[str, StringConstraints(max_length=60)] | None = Field(None, description="buyer nick")
    item: Id | None = Field(None, description="id of the item in focus")
    order: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        None, description="order id in focus"
    )
    order_status: OrderStatus | None = Field(None, description="order status, when no order id is given")
    limit: Annotated[int, Field(ge=1, le=10)] = 3


class PreviewIn(Model):
    template: Annotated[str, StringConstraints(max_length=4000)]
    sample: str = Field("new_buyer", description=f"sample context: {', '.join(SAMPLE_CONTEXTS)}")
    context: dict[str, Any] | None = Field(None, description="explicit context instead of a sample")


class PreviewOut(Model):
    text: str | None
    missing: list[str]
    findings: list[Finding]
    samples: list[str]


class ItemKnowledgeOut(Model):
    item: dict[str, Any]
    knowledge: ItemKnowledge | None
    related: list[RelatedView] = Field(description="editor-set related items in their saved order")


class ScriptsQuery(Model):
    shop: Annotated[int, Field(gt=0)]
    item: Annotated[int, Field(gt=0)] | None = None
    buyer: Annotated[str, StringConstraints(max_length=60)] | None = None
    kind: (
        Annotated[str, StringConstraints(pattern="^(" + "|".join(k.value for k in ScriptKind) + ")$")] | None
    ) = None


class ScriptOut(Model):
    id: int
    campaign_id: int
    kind: ScriptKind
    situation: str
    title: str
    text: str
    missing: list[str]


class ScriptsOut(Model):
    campaigns: list[str]
    scripts: list[ScriptOut]

"""Request and response models of the quick replies' API (``assistant.api.quick_replies``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from knowledge.models import Id, Model, Revision, Text
from quick_replies.models import LookupResult, QuickReply, QuickReplyGroup

QueryId = Annotated[int, Field(gt=0, le=2**62)]


class SearchQuery(Model):
    q: Annotated[str, StringConstraints(max_length=100)] = Field("", description="what the agent typed")
    shop: QueryId | None = Field(None, description="shop id; defaults to the agent's main shop")
    limit: Annotated[int, Field(ge=1, le=50)] = 10
    buyer: Annotated[str, StringConstraints(max_length=60)] = Field(
        "", description="buyer nick of the conversation: previews see the buyer card (tier, orders)"
    )
    item: QueryId | None = Field(
        None, description="item in focus: previews see its knowledge (404 if unknown)"
    )
    order: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = Field(
        None, description="order in focus: previews see its status, price, tracking (404 if unknown)"
    )


class SearchOut(Model):
    results: list[LookupResult]


class VersionQuery(Model):
    version: QueryId | None = Field(None, description="the version the client saw (409 when stale)")


class QuickReplyOut(Model):
    quick_reply: QuickReply
    group: str


class QuickReplyList(Model):
    quick_replies: list[QuickReplyOut]


class QuickReplyPage(QuickReplyList):
    next_cursor: int | None = Field(None, description="the next page's `cursor`; null on the last page")


class RevisionsOut(Model):
    revisions: list[Revision]


class GroupIn(Model):
    shop: Id | None = None
    name: Annotated[Text, StringConstraints(min_length=1, max_length=30)]
    position: Annotated[int, Field(ge=0)] = 0


class GroupOut(Model):
    group: QuickReplyGroup


class OrderItem(Model):
    id: Id
    version: Id = Field(description="the version the client saw")


class GroupOrderIn(Model):
    items: Annotated[list[OrderItem], Field(min_length=1, max_length=1000)] = Field(
        description="phrases of the group in their new order; they get positions 0, 1, 2…"
    )


class GroupList(Model):
    groups: list[QuickReplyGroup]

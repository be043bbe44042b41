"""Models of the knowledge editing API (``assistant.api.kb_edit``, ``kb_campaigns``): the delete
query, the envelopes of intents, campaigns, synonym groups and revisions, the unmatched questions.
(``ListQuery``, ``RollbackIn`` and ``DeletedOut`` stay in ``kb_edit``: their OpenAPI component names
carry the module, as other modules have models of those names.)"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from knowledge.models import Campaign, Intent, Model, Revision, SynonymGroup

QueryId = Annotated[int, Field(gt=0)]  # query strings arrive as text: not strict


class DeleteQuery(Model):
    version: QueryId


class IntentsOut(Model):
    intents: list[Intent]
    next_cursor: int | None


class IntentOut(Model):
    intent: Intent


class CampaignsOut(Model):
    campaigns: list[Campaign]
    next_cursor: int | None


class CampaignOut(Model):
    campaign: Campaign


class SynonymsOut(Model):
    synonyms: list[SynonymGroup]
    next_cursor: int | None = None


class SynonymOut(Model):
    synonym: SynonymGroup


class RevisionsOut(Model):
    revisions: list[Revision]


class UnmatchedQuery(Model):
    shop: QueryId
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Annotated[int, Field(ge=0)] = 0


class UnmatchedMessage(Model):
    id: int
    normalized: str
    text: str
    count: int
    best_intent_id: int | None
    best_score: float | None
    first_at: str
    last_at: str


class UnmatchedOut(Model):
    messages: list[UnmatchedMessage]
    next_cursor: int | None

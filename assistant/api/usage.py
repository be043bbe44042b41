"""Agents tell us which phrase, answer or script they used, and whether they edited it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from aiohttp import web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.io import body_of, ok
from assistant.api.shops import resolve_shop
from assistant.security import current_agent
from knowledge.models import Id, Model, UsageEvent, UsageKind


class UsageIn(Model):
    kind: UsageKind
    ref_id: Id
    shop: Id | None = Field(None, description="shop id; defaults to the agent's main shop")
    conversation: Annotated[str, StringConstraints(max_length=100)] = ""
    edited: bool = Field(False, description="the agent changed the text before sending")
    text: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        None,
        description="the text as inserted; with `conversation`, the next `message.sent` event of that "
        "conversation marks the use as edited when the sent text differs",
    )


class UsageOut(Model):
    queued: bool


async def record_usage(request: web.Request) -> web.Response:
    agent = current_agent(request)
    body = body_of(request, UsageIn)
    shop_id = resolve_shop(request, agent, body.shop)
    request.app[keys.USAGE].record(
        UsageEvent(
            shop_id=shop_id,
            agent_id=agent.id,
            kind=body.kind,
            ref_id=body.ref_id,
            conversation=body.conversation,
            edited=body.edited,
            at=datetime.now(UTC),
        ),
        inserted_text=body.text,
    )
    return ok(UsageOut(queued=True), status=202)

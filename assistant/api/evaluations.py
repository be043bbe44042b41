"""Service evaluations through events: the agent's invitation at the end of a conversation
(``evaluation.invited``) and the buyer's rating (``evaluation.rated``), one evaluation per
conversation, feeding the KPI's satisfaction (rated 4 or 5 ÷ rated) and invitation rate."""

from __future__ import annotations

from functools import partial

from aiohttp import web

from assistant import keys
from assistant.errors import BadRequest
from assistant.events import EvaluationInvited, EvaluationRated
from assistant.team import kpi_store
from knowledge.models import Agent


async def record_evaluation(
    request: web.Request, agent: Agent, event: EvaluationInvited | EvaluationRated
) -> None:
    known = request.app[keys.EVENTS].conversation_of(agent.id, event.conversation)
    if known is None:
        raise BadRequest.field(
            "conversation", f"没有打开过会话 {event.conversation}：请先发送 conversation.opened"
        )
    shop_id, buyer = known
    if isinstance(event, EvaluationInvited):
        write = partial(
            kpi_store.record_invitation,
            shop_id=shop_id,
            conversation=event.conversation,
            buyer=buyer,
            agent_id=agent.id,
            at=event.at,
        )
    else:
        write = partial(
            kpi_store.record_rating,
            shop_id=shop_id,
            conversation=event.conversation,
            buyer=buyer,
            agent_id=agent.id,
            rating=event.rating,
            at=event.at,
        )
    await request.app[keys.DB].write(write)

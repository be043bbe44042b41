"""The team's scorecard and forbidden-word list, as the supervisor edits them."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from assistant import keys
from assistant.api.io import body_of, ok
from assistant.api.qc import CategoryOut, ScorecardOut
from assistant.api.qc_findings_models import (
    ScorecardIn,
    WordsIn,
    WordsOut,
)
from assistant.errors import BadRequest, FieldError
from assistant.security import current_agent
from assistant.team import qc
from assistant.team import qc_store as qs


def _card_out(categories: tuple[qc.Category, ...]) -> ScorecardOut:
    return ScorecardOut(
        categories=[
            CategoryOut(key=c.key, label=c.label, weight=c.weight, scale=c.scale, critical=c.critical)
            for c in categories
        ]
    )


async def edit_scorecard(request: web.Request) -> web.Response:
    """Replace the scorecard (categories, weights, scales, critical items); reviews made before keep their
    score. Audited."""
    caller = current_agent(request)
    body = body_of(request, ScorecardIn)
    card = tuple(qc.Category(**c.model_dump()) for c in body.categories)
    problems = qc.card_problems(card)
    if problems:
        raise BadRequest(
            "评分表有误",
            [FieldError("categories" if i < 0 else f"categories.{i}", message) for i, message in problems],
        )
    config = request.app[keys.QC_CONFIG]
    before = [c.model_dump() for c in _card_out(config.categories).categories]
    await request.app[keys.DB].write(
        lambda db: qs.save_config(
            db,
            "scorecard",
            [c.model_dump() for c in body.categories],
            agent_id=caller.id,
            at=datetime.now(UTC),
            before=before,
        )
    )
    config.categories = card
    return ok(_card_out(card))


async def forbidden_words(request: web.Request) -> web.Response:
    """The forbidden and absolute words (极限词 / 违禁词) the sample and the live warning look for."""
    return ok(WordsOut(words=list(request.app[keys.QC_CONFIG].forbidden_words)))


async def edit_words(request: web.Request) -> web.Response:
    """Replace the forbidden-word list (repeats dropped, the order kept). Audited."""
    caller = current_agent(request)
    body = body_of(request, WordsIn)
    words = list(dict.fromkeys(body.words))
    config = request.app[keys.QC_CONFIG]
    before = list(config.forbidden_words)
    await request.app[keys.DB].write(
        lambda db: qs.save_config(
            db, "forbidden_words", words, agent_id=caller.id, at=datetime.now(UTC), before=before
        )
    )
    config.forbidden_words = tuple(words)
    return ok(WordsOut(words=words))

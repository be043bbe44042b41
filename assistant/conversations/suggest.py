"""Suggested answers for a buyer's message, the use case: build the conversation's context, rank the
shop's intents and scripts (the matcher, in memory), render each answer in the template pool, and queue
the questions without a confident answer for the editors.  No HTTP: a handler parses the request and
answers what ``suggest_answers`` returns."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import sqlite_utils
from pydantic import Field

from assistant.conversations.context import ContextSources, build_context
from assistant.usage import UsageRecorder
from knowledge import store
from knowledge.match_entries import AnswerEntry, Match
from knowledge.models import Agent, Model
from knowledge.render_pool import RenderPool
from knowledge.templates import Rendered, TemplateProblem, log_refused, render


@dataclass(frozen=True)
class Focus:
    """What the agent is looking at: the shop, and the buyer, item and order of the conversation
    (``order_status`` when the client knows the status but not the order)."""

    shop_id: int
    buyer: str | None = None
    item_id: int | None = None
    order_id: str | None = None
    order_status: str | None = None


class Why(Model):
    example: str
    matched_words: list[str]
    keywords: list[str]
    lexical: float
    fuzzy: float
    item_boost: float
    campaign_boost: float
    order_boost: float
    order_status: str | None
    note: str
    semantic: float = Field(
        0.0, description="best cosine of the intent's examples to the question (0: encoder off)"
    )
    similar: str = Field(
        "",
        description="the example closest in meaning, when the meaning rather than the words matched (意思相近)",
    )


class Suggestion(Model):
    kind: Literal["intent", "script"]
    id: int
    key: str
    name: str
    topic: str
    item_id: int | None
    campaign_id: int | None
    answer: str = Field(description="the chosen answer variant, rendered for this buyer")
    variant: int
    variants: int
    missing: list[str]
    score: float
    confident: bool
    why: Why


class QuestionOut(Model):
    question: str
    confident: bool
    suggestions: list[Suggestion]


class SuggestOut(Model):
    confident: bool = Field(description="every question has a confident suggestion")
    questions: list[QuestionOut]


def render_variant(entry: AnswerEntry, context: dict[str, Any], seed: str) -> tuple[int, Rendered] | None:
    """One of the entry's answer variants, rendered: the same one for the same ``seed`` (a buyer keeps
    hearing the same wording), the next one when a variant cannot render; None when none can."""
    count = len(entry.answers)
    start = zlib.crc32(f"{seed}|{entry.uid}".encode()) % count if count else 0
    for offset in range(count):
        variant = (start + offset) % count
        try:
            return variant, render(entry.answers[variant], context)
        except TemplateProblem as problem:
            log_refused(f"{entry.kind} answer {variant}", entry.ref_id, problem)
            continue
    return None


def suggestion(match: Match, context: dict[str, Any], seed: str) -> Suggestion | None:
    entry = match.entry
    chosen = render_variant(entry, context, seed)
    if chosen is None:
        return None
    variant, rendered = chosen
    count = len(entry.answers)
    r = match.reasons
    return Suggestion(
        kind=entry.kind,
        id=entry.ref_id,
        key=entry.key,
        name=entry.name,
        topic=entry.topic.value,
        item_id=entry.item_id,
        campaign_id=entry.campaign_id,
        answer=rendered.text,
        variant=variant,
        variants=count,
        missing=rendered.missing,
        score=match.score,
        confident=match.confident,
        why=Why(
            example=r.example,
            matched_words=r.matched_words,
            keywords=r.keywords,
            lexical=r.lexical,
            fuzzy=r.fuzzy,
            item_boost=r.item_boost,
            campaign_boost=r.campaign_boost,
            order_boost=r.order_boost,
            order_status=r.order_status,
            note=r.note,
            semantic=r.semantic,
            similar=r.similar,
        ),
    )


async def suggest_answers(
    sources: ContextSources,
    templates: RenderPool,
    usage: UsageRecorder,
    agent: Agent,
    focus: Focus,
    message: str,
    limit: int,
) -> SuggestOut:
    """The ranked, rendered answers to each question of ``message`` in this conversation."""
    built = await build_context(
        sources, agent, focus.shop_id, buyer=focus.buyer, item_id=focus.item_id, order_id=focus.order_id
    )
    context, status = built.values, built.order_status
    results = sources.matcher.suggest(
        focus.shop_id,
        message,
        item_id=focus.item_id,
        order_status=status or focus.order_status,
        now=datetime.now(UTC),
        limit=limit,
    )

    def render_all() -> list[QuestionOut]:
        out = []
        for result in results:
            seed = f"{focus.buyer}|{result.question}"
            rendered = [s for m in result.matches if (s := suggestion(m, context, seed))]
            out.append(
                QuestionOut(question=result.question, confident=result.confident, suggestions=rendered)
            )
        return out

    questions = await templates.run(render_all)
    unmatched = [r for r in results if not r.confident]
    if unmatched:

        def keep(db: sqlite_utils.Database) -> None:
            for r in unmatched:
                top = r.matches[0] if r.matches else None
                store.record_unmatched(
                    db,
                    focus.shop_id,
                    r.question,
                    message,
                    top.entry.ref_id if top and top.entry.kind == "intent" else None,
                    top.score if top else None,
                )

        usage.defer(keep)
    confident = bool(questions) and all(q.confident for q in questions)
    return SuggestOut(confident=confident, questions=questions)

"""What the quiz's handlers share: the clock, who is a trainer, one answer's mark, a round and a
question as the API shows them, a trainee's progress and the pass check."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils
from aiohttp import web

from assistant import keys
from assistant.api.io import path_int
from assistant.api.training_models import (
    ChoiceOut,
    MarkOut,
    PassMarkOut,
    ProgressRow,
    QuestionOut,
    RoundOut,
    SegmentOut,
)
from assistant.errors import FieldError, NotFound
from assistant.settings import Settings
from assistant.team import training_store as store
from assistant.team.training import (
    Answered,
    Progress,
    best_reference,
    diff,
    passes,
    progress,
)
from assistant.team.training_rows import PassMark, TrainingPhrase, TrainingQuestion, TrainingRound
from knowledge.models import Agent, Role


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _is_trainer(agent: Agent) -> bool:
    return agent.role.allows(Role.EDITOR)


def _mark(q: TrainingQuestion) -> MarkOut | None:
    if q.answered_at is None:
        return None
    refs: list[str] = q.refs
    answer = q.answer_text or ""
    index = best_reference(answer, refs)[1] if answer else 0
    reference = refs[index]
    overridden = q.override_correct is not None
    return MarkOut(
        correct=bool(q.override_correct if overridden else q.auto_correct),
        auto_correct=bool(q.auto_correct),
        overridden=overridden,
        override_note=q.override_note,
        similarity=q.similarity,
        late=bool(q.late),
        elapsed_seconds=None if q.elapsed_ms is None else q.elapsed_ms / 1000,
        answer=answer,
        picked_phrase_id=q.picked_phrase_id,
        reference=reference,
        right_picks=q.right_picks,
        diff=[SegmentOut(**s) for s in diff(answer, reference)],
    )


def _round_out(
    r: TrainingRound, questions: list[TrainingQuestion], phrases: dict[int, TrainingPhrase]
) -> RoundOut:
    return RoundOut(
        id=r.id,
        shop_id=r.shop_id,
        agent_id=r.agent_id,
        mode=r.mode,
        topic=r.topic,
        seconds_per_question=r.seconds_per_question,
        started_at=_at(r.started_at),
        finished_at=_at(r.finished_at) if r.finished_at else None,
        questions=[
            QuestionOut(
                id=q.id,
                position=q.position,
                source=q.source,
                question=q.question,
                choices=[
                    ChoiceOut(id=c, title=phrases[c].title, body=phrases[c].body)
                    for c in q.choices
                    if c in phrases
                ],
                mark=_mark(q),
            )
            for q in questions
        ],
    )


def _pass_mark(settings: Settings, row: PassMark | None) -> PassMarkOut:
    if row is None:
        return PassMarkOut(accuracy=settings.training_pass_accuracy, coverage=settings.training_pass_coverage)
    return PassMarkOut(accuracy=row.accuracy, coverage=row.coverage, set_by=row.set_by_name)


def _progress_rows(
    db: sqlite_utils.Database, shop_id: int, mark: PassMarkOut, names: dict[int, str]
) -> list[ProgressRow]:
    total = store.intent_count(db, shop_id)
    trainees = {t.agent_id: t for t in store.trainees(db, shop_id)}
    by_agent: dict[int, list[Answered]] = {}
    for a in store.answers(db, shop_id):
        by_agent.setdefault(a.agent_id, []).append(
            Answered(
                intent_id=a.intent_id,
                correct=a.correct,
                elapsed_ms=a.elapsed_ms,
                answered_at=_at(a.answered_at),
            )
        )
    rounds = store.round_counts(db, shop_id)
    out = []
    for agent_id in sorted({*trainees, *rounds}):
        p: Progress = progress(by_agent.get(agent_id, []), total)
        counted = rounds.get(agent_id)
        count, last = (counted.rounds, counted.last_started_at) if counted else (0, None)
        trainee = trainees.get(agent_id)
        out.append(
            ProgressRow(
                agent_id=agent_id,
                name=names.get(agent_id, str(agent_id)),
                trainee=trainee is not None,
                rounds=count,
                answered=p.answered,
                correct=p.correct,
                accuracy=p.accuracy,
                coverage=p.coverage,
                median_seconds=p.median_seconds,
                last_round_at=_at(last) if last else None,
                passed_at=_at(trainee.passed_at) if trainee and trainee.passed_at else None,
                meets_pass_mark=passes(p, mark.accuracy, mark.coverage),
            )
        )
    return out


async def _question(request: web.Request, agent: Agent) -> TrainingQuestion:
    question_id = path_int(request, "question_id")
    q = await request.app[keys.DB].read(lambda db: store.question(db, question_id))
    if q is None or q.shop_id not in agent.shop_ids or (q.agent_id != agent.id and not _is_trainer(agent)):
        raise NotFound(f"没有编号为 {question_id} 的练习题", [FieldError("question_id", "找不到这道题")])
    return q


async def _check_pass(request: web.Request, shop_id: int, agent_id: int) -> tuple[ProgressRow | None, bool]:
    """Record the pass of a trainee who now meets the shop's pass mark."""
    settings = request.app[keys.SETTINGS]
    names = {a.id: a.name for a in request.app[keys.DIRECTORY].agents.values()}

    def check(db: sqlite_utils.Database) -> tuple[ProgressRow | None, bool]:
        mark = _pass_mark(settings, store.pass_mark(db, shop_id))
        row = next((r for r in _progress_rows(db, shop_id, mark, names) if r.agent_id == agent_id), None)
        if row is None or not row.trainee or row.passed_at is not None or not row.meets_pass_mark:
            return row, False
        passed = store.record_pass(db, agent_id, row.accuracy or 0.0, row.coverage or 0.0, _now())
        return row.model_copy(update={"passed_at": datetime.now(UTC)}) if passed else row, passed

    row, passed = await request.app[keys.DB].write(check)
    if passed:
        request.app[keys.TRAINING].unpassed.discard(agent_id)
    return row, passed

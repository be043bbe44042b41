"""The trainer's side of the quiz: overriding a mark, the trainees' progress and answers, pass marks
and who is a trainee."""

from __future__ import annotations

import sqlite_utils
from aiohttp import web

from assistant import keys
from assistant.api.io import body_of, ok, path_int, query_of
from assistant.api.shops import resolve_shop
from assistant.api.training_marks import (
    _at,
    _check_pass,
    _is_trainer,
    _mark,
    _now,
    _pass_mark,
    _progress_rows,
    _question,
)
from assistant.api.training_models import (
    AnsweredOut,
    AnswerOut,
    AnswersOut,
    AnswersQuery,
    OverrideIn,
    PassMarkIn,
    PassMarkOut,
    ProgressOut,
    ProgressQuery,
    TraineeIn,
    TraineeOut,
)
from assistant.errors import Conflict, FieldError, NotFound
from assistant.security import current_agent
from assistant.team import training_store as store
from assistant.team.training_rows import Trainee


async def override(request: web.Request) -> web.Response:
    """The trainer's mark replaces the automatic one (and may record a pass)."""
    trainer = current_agent(request)
    body = body_of(request, OverrideIn)
    q = await _question(request, trainer)
    if q.answered_at is None:
        raise Conflict("这道题还没有作答", [FieldError("question_id", "未作答")])
    question_id = int(q.id)
    await request.app[keys.DB].write(
        lambda db: store.override(db, question_id, body.correct, trainer.id, body.note)
    )
    await _check_pass(request, q.shop_id, q.agent_id)
    fresh = await request.app[keys.DB].read(lambda db: store.question(db, question_id))
    assert fresh is not None
    mark = _mark(fresh)
    assert mark is not None
    return ok(AnswerOut(question_id=question_id, mark=mark))


async def progress_view(request: web.Request) -> web.Response:
    """Per trainee: coverage, accuracy, median answer time, rounds, the pass (a trainee sees their own row)."""
    agent = current_agent(request)
    shop_id = resolve_shop(request, agent, query_of(request, ProgressQuery).shop)
    settings = request.app[keys.SETTINGS]
    names = {a.id: a.name for a in request.app[keys.DIRECTORY].agents.values()}

    def read(db: sqlite_utils.Database) -> ProgressOut:
        mark = _pass_mark(settings, store.pass_mark(db, shop_id))
        rows = _progress_rows(db, shop_id, mark, names)
        if not _is_trainer(agent):
            rows = [r for r in rows if r.agent_id == agent.id]
        return ProgressOut(rows=rows, pass_mark=mark, intents=store.intent_count(db, shop_id))

    return ok(await request.app[keys.DB].read(read))


async def answers_view(request: web.Request) -> web.Response:
    """Answered questions with their marks, newest first (the trainer's list to override from)."""
    agent = current_agent(request)
    query = query_of(request, AnswersQuery)
    shop_id = resolve_shop(request, agent, query.shop)
    rows = await request.app[keys.DB].read(lambda db: store.answers(db, shop_id, query.agent))
    out = []
    for r in rows[: query.limit]:
        mark = _mark(r)
        assert mark is not None
        out.append(
            AnsweredOut(
                question_id=r.id,
                round_id=r.round_id,
                agent_id=r.agent_id,
                question=r.question,
                mark=mark,
            )
        )
    return ok(AnswersOut(answers=out))


async def set_pass_mark(request: web.Request) -> web.Response:
    trainer = current_agent(request)
    body = body_of(request, PassMarkIn)
    shop_id = resolve_shop(request, trainer, body.shop)
    await request.app[keys.DB].write(
        lambda db: store.set_pass_mark(db, shop_id, body.accuracy, body.coverage, trainer.id, _now())
    )
    return ok(PassMarkOut(accuracy=body.accuracy, coverage=body.coverage, set_by=trainer.name))


async def set_trainee(request: web.Request) -> web.Response:
    """Make an agent a trainee of the caller's main shop (or end it)."""
    trainer = current_agent(request)
    agent_id = path_int(request, "agent_id")
    body = body_of(request, TraineeIn)
    target = request.app[keys.DIRECTORY].agents.get(agent_id)
    if target is None or target.main_shop_id not in trainer.shop_ids:
        raise NotFound(f"没有编号为 {agent_id} 的客服", [FieldError("agent_id", "找不到这个客服")])

    def write(db: sqlite_utils.Database) -> Trainee | None:
        store.set_trainee(db, agent_id, target.main_shop_id, body.trainee, trainer.id, _now())
        return store.trainee(db, agent_id)

    row = await request.app[keys.DB].write(write)
    gate = request.app[keys.TRAINING]
    if row is not None and row.passed_at is None:
        gate.unpassed.add(agent_id)
    else:
        gate.unpassed.discard(agent_id)
    passed = _at(row.passed_at) if row and row.passed_at else None
    return ok(TraineeOut(agent_id=agent_id, trainee=row is not None, passed_at=passed))

"""The trainee quiz (培训): rounds, answers with their marks and finishing a round. The trainer's
override, progress, pass marks and trainees are ``training_trainer``, the shared marking and
progress ``training_marks``, the models ``training_models``. Thin: drawing and marking are
``assistant.team.training``, the modes ``training_rounds``, the SQL ``training_store``. The trainer is
an editor or a supervisor (they keep the knowledge base)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import sqlite_utils
from aiohttp import web

from assistant import keys
from assistant.api.io import body_of, ok, path_int
from assistant.api.shops import resolve_shop
from assistant.api.training_marks import (
    _at,
    _check_pass,
    _is_trainer,
    _mark,
    _now,
    _question,
    _round_out,
)
from assistant.api.training_models import (
    AnswerIn,
    AnswerOut,
    FinishOut,
    RoundIn,
    RoundOut,
)
from assistant.errors import BadRequest, Conflict, FieldError, Forbidden, NotFound
from assistant.security import current_agent
from assistant.team import training_store as store
from assistant.team.training import (
    TrainingGate,
    best_reference,
    draw,
)
from assistant.team.training_rounds import NothingToAsk, pool
from assistant.team.training_rows import QcCase, TrainingPhrase, TrainingQuestion, TrainingRound


async def training_ctx(app: web.Application) -> AsyncIterator[None]:
    """Load who is still a trainee without a pass (the token gate of ``training_pass_required``)."""
    app[keys.TRAINING] = TrainingGate(unpassed=await app[keys.DB].read(store.unpassed))
    yield


# ---- handlers ----------------------------------------------------------------------------------------


async def _qc_cases(request: web.Request, shop_id: int) -> list[QcCase]:
    """QC's training cases, each with the intent its buyer's question asks about: the one the matcher
    answers confidently, as the sidebar would suggest it (None when it is not sure)."""
    matcher = request.app[keys.MATCHER]
    marked = await request.app[keys.DB].read(partial(store.qc_marked, shop_id=shop_id))
    asked = await request.app[keys.CONVERSATIONS].first_exchanges(shop_id, sorted(marked))
    out = []
    for exchange in asked:
        case = QcCase(conversation=exchange.conversation, excellent=marked[exchange.conversation],
                      question_id=exchange.question_id, question=exchange.question, reply=exchange.reply)  # fmt: skip
        found = matcher.rank(shop_id, case.question, limit=1)
        best = found.matches[0] if found.confident and found.matches else None
        intent_id = best.entry.ref_id if best is not None and best.entry.kind == "intent" else None
        out.append(case.model_copy(update={"intent_id": intent_id}))
    return out


async def create_round(request: web.Request) -> web.Response:
    """Draw a round: the shop's questions the trainee has not yet answered right come first."""
    agent = current_agent(request)
    body = body_of(request, RoundIn)
    shop_id = resolve_shop(request, agent, body.shop)
    settings = request.app[keys.SETTINGS]
    size = body.size or settings.training_round_size
    now = datetime.now(UTC)
    cases = await _qc_cases(request, shop_id) if body.mode == "timed" else []

    def build(db: sqlite_utils.Database) -> int:
        covered = {a.intent_id for a in store.answers(db, shop_id, agent.id) if a.correct and a.intent_id}
        found = pool(
            db,
            shop_id,
            agent.id,
            body.mode,
            body.topic,
            settings.training_pick_similarity,
            covered,
            now,
            cases,
        )
        drawn = draw(found.candidates, size, found.covered, found.phrases, random.Random())
        if not drawn:
            raise NothingToAsk("mode", "知识库里还没有可以出题的意图（需要例句和答案）")
        seconds = settings.training_seconds_per_question if body.mode == "timed" else None
        round_id = store.insert_round(db, shop_id, agent.id, body.mode, found.topic, seconds, _now())
        for position, d in enumerate(drawn, start=1):
            c = d.candidate
            store.insert_question(
                db,
                round_id,
                position,
                {
                    "source": c.source,
                    "ref_id": c.ref_id,
                    "intent_id": c.intent_id,
                    "question": d.question,
                    "refs": list(c.refs),
                    "choices": list(d.choices),
                    "right_picks": list(c.right_picks),
                },
            )
        return round_id

    try:
        round_id = await request.app[keys.DB].write(build)
    except NothingToAsk as error:
        raise BadRequest(error.message, [FieldError(error.field, error.message)]) from None
    return ok(await _load_round(request, round_id), status=201)


async def _load_round(request: web.Request, round_id: int) -> RoundOut:
    def load(
        db: sqlite_utils.Database,
    ) -> tuple[TrainingRound | None, list[TrainingQuestion], dict[int, TrainingPhrase]]:
        r = store.round_row(db, round_id)
        if r is None:
            return None, [], {}
        return r, store.questions(db, round_id), {p.id: p for p in store.phrases(db, r.shop_id)}

    r, questions, phrases = await request.app[keys.DB].read(load)
    if r is None:
        raise NotFound(f"没有编号为 {round_id} 的练习", [FieldError("round_id", "找不到这轮练习")])
    return _round_out(r, questions, phrases)


async def get_round(request: web.Request) -> web.Response:
    agent = current_agent(request)
    out = await _load_round(request, path_int(request, "round_id"))
    if out.shop_id not in agent.shop_ids or (out.agent_id != agent.id and not _is_trainer(agent)):
        raise NotFound(f"没有编号为 {out.id} 的练习", [FieldError("round_id", "找不到这轮练习")])
    return ok(out)


async def answer(request: web.Request) -> web.Response:
    """Mark an answer: a typed one by similarity to the references, a picked quick reply exactly."""
    agent = current_agent(request)
    body = body_of(request, AnswerIn)
    q = await _question(request, agent)
    if q.agent_id != agent.id:
        raise Forbidden("只有做这轮练习的人能答题", [FieldError("question_id", "不是你的练习")])
    if q.round_finished_at:
        raise Conflict("这轮练习已经结束", [FieldError("question_id", "练习已结束")])
    settings = request.app[keys.SETTINGS]
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "answered_at": now.isoformat(timespec="microseconds"),
        "picked_phrase_id": body.phrase_id,
    }
    if body.phrase_id is not None:
        if body.phrase_id not in q.choices:
            raise BadRequest("只能从这道题给出的快捷短语里选", [FieldError("phrase_id", "不是这道题的选项")])
        values |= {"answer_text": "", "similarity": None, "auto_correct": body.phrase_id in q.right_picks}
    else:
        text = body.text or ""
        score = best_reference(text, q.refs)[0]
        values |= {
            "answer_text": text,
            "similarity": score,
            "auto_correct": score >= settings.training_answer_similarity,
        }
    question_id = int(q.id)

    def write(db: sqlite_utils.Database) -> bool:
        start = _at(store.last_answer_at(db, q.round_id) or q.round_started_at)
        start = max(start, _at(q.round_started_at))
        elapsed = int((now - start).total_seconds() * 1000)
        limit = q.seconds_per_question
        late = limit is not None and elapsed > limit * 1000
        values.update(elapsed_ms=max(elapsed, 0), late=late, auto_correct=values["auto_correct"] and not late)
        return store.save_answer(db, question_id, values)

    if not await request.app[keys.DB].write(write):
        raise Conflict("这道题已经答过了", [FieldError("question_id", "已作答")])
    fresh = await request.app[keys.DB].read(lambda db: store.question(db, question_id))
    assert fresh is not None
    mark = _mark(fresh)
    assert mark is not None
    return ok(AnswerOut(question_id=question_id, mark=mark))


async def finish(request: web.Request) -> web.Response:
    """End the round; a trainee over the pass mark has the pass recorded."""
    agent = current_agent(request)
    out = await _load_round(request, path_int(request, "round_id"))
    if out.agent_id != agent.id:
        raise NotFound(f"没有编号为 {out.id} 的练习", [FieldError("round_id", "找不到这轮练习")])
    await request.app[keys.DB].write(lambda db: store.finish_round(db, out.id, _now()))
    row, passed = await _check_pass(request, out.shop_id, agent.id)
    assert row is not None
    marks = [q.mark for q in out.questions if q.mark is not None]
    return ok(
        FinishOut(
            round_id=out.id,
            answered=len(marks),
            correct=sum(1 for m in marks if m.correct),
            progress=row,
            passed_now=passed,
        )
    )

"""The trainee quiz (培训): rounds, answers with their marks, the trainer's override, progress, pass marks
and trainees. Thin: drawing and marking are ``assistant.team.training``, the modes ``training_rounds``,
the SQL ``training_store``. The trainer is an editor or a supervisor (they keep the knowledge base)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import sqlite_utils
from aiohttp import web

from assistant import keys
from assistant.api.commerce import shop_of
from assistant.api.io import ok, path_int, read_json, read_query
from assistant.api.training_models import (
    AnsweredOut,
    AnswerIn,
    AnswerOut,
    AnswersOut,
    AnswersQuery,
    ChoiceOut,
    FinishOut,
    MarkOut,
    OverrideIn,
    PassMarkIn,
    PassMarkOut,
    ProgressOut,
    ProgressQuery,
    ProgressRow,
    QuestionOut,
    RoundIn,
    RoundOut,
    SegmentOut,
    TraineeIn,
    TraineeOut,
)
from assistant.errors import BadRequest, Conflict, FieldError, Forbidden, NotFound
from assistant.security import current_agent
from assistant.settings import Settings
from assistant.team import training_store as store
from assistant.team.training import (
    Answered,
    Progress,
    TrainingGate,
    best_reference,
    diff,
    draw,
    passes,
    progress,
)
from assistant.team.training_rounds import NothingToAsk, pool
from knowledge.models import Agent, Role


async def training_ctx(app: web.Application) -> AsyncIterator[None]:
    """Load who is still a trainee without a pass (the token gate of ``training_pass_required``)."""
    app[keys.TRAINING] = TrainingGate(unpassed=await app[keys.DB].read(store.unpassed))
    yield


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _is_trainer(agent: Agent) -> bool:
    return agent.role.allows(Role.EDITOR)


# ---- helpers -----------------------------------------------------------------------------------------


def _mark(q: dict[str, Any]) -> MarkOut | None:
    if q["answered_at"] is None:
        return None
    refs: list[str] = q["refs"]
    answer = q["answer_text"] or ""
    index = best_reference(answer, refs)[1] if answer else 0
    reference = refs[index]
    overridden = q["override_correct"] is not None
    return MarkOut(
        correct=bool(q["override_correct"] if overridden else q["auto_correct"]),
        auto_correct=bool(q["auto_correct"]),
        overridden=overridden,
        override_note=q["override_note"],
        similarity=q["similarity"],
        late=bool(q["late"]),
        elapsed_seconds=None if q["elapsed_ms"] is None else q["elapsed_ms"] / 1000,
        answer=answer,
        picked_phrase_id=q["picked_phrase_id"],
        reference=reference,
        right_picks=q["right_picks"],
        diff=[SegmentOut(**s) for s in diff(answer, reference)],
    )


def _round_out(
    r: dict[str, Any], questions: list[dict[str, Any]], phrases: dict[int, dict[str, Any]]
) -> RoundOut:
    return RoundOut(
        id=r["id"],
        shop_id=r["shop_id"],
        agent_id=r["agent_id"],
        mode=r["mode"],
        topic=r["topic"],
        seconds_per_question=r["seconds_per_question"],
        started_at=_at(r["started_at"]),
        finished_at=_at(r["finished_at"]) if r["finished_at"] else None,
        questions=[
            QuestionOut(
                id=q["id"],
                position=q["position"],
                source=q["source"],
                question=q["question"],
                choices=[
                    ChoiceOut(id=c, title=phrases[c]["title"], body=phrases[c]["body"])
                    for c in q["choices"]
                    if c in phrases
                ],
                mark=_mark(q),
            )
            for q in questions
        ],
    )


def _pass_mark(settings: Settings, row: dict[str, Any] | None) -> PassMarkOut:
    if row is None:
        return PassMarkOut(accuracy=settings.training_pass_accuracy, coverage=settings.training_pass_coverage)
    return PassMarkOut(accuracy=row["accuracy"], coverage=row["coverage"], set_by=row["set_by_name"])


def _progress_rows(
    db: sqlite_utils.Database, shop_id: int, mark: PassMarkOut, names: dict[int, str]
) -> list[ProgressRow]:
    total = store.intent_count(db, shop_id)
    trainees = {t["agent_id"]: t for t in store.trainees(db, shop_id)}
    by_agent: dict[int, list[Answered]] = {}
    for a in store.answers(db, shop_id):
        by_agent.setdefault(a["agent_id"], []).append(
            Answered(
                intent_id=a["intent_id"],
                correct=a["correct"],
                elapsed_ms=a["elapsed_ms"],
                answered_at=_at(a["answered_at"]),
            )
        )
    rounds = store.round_counts(db, shop_id)
    out = []
    for agent_id in sorted({*trainees, *rounds}):
        p: Progress = progress(by_agent.get(agent_id, []), total)
        count, last = rounds.get(agent_id, (0, None))
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
                passed_at=_at(trainee["passed_at"]) if trainee and trainee["passed_at"] else None,
                meets_pass_mark=passes(p, mark.accuracy, mark.coverage),
            )
        )
    return out


async def _question(request: web.Request, agent: Agent) -> dict[str, Any]:
    question_id = path_int(request, "question_id")
    q = await request.app[keys.DB].read(lambda db: store.question(db, question_id))
    if (
        q is None
        or q["shop_id"] not in agent.shop_ids
        or (q["agent_id"] != agent.id and not _is_trainer(agent))
    ):
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


# ---- handlers ----------------------------------------------------------------------------------------


async def create_round(request: web.Request) -> web.Response:
    """Draw a round: the shop's questions the trainee has not yet answered right come first."""
    agent = current_agent(request)
    body = await read_json(request, RoundIn)
    shop_id = shop_of(request, agent, body.shop)
    settings = request.app[keys.SETTINGS]
    size = body.size or settings.training_round_size
    now = datetime.now(UTC)

    def build(db: sqlite_utils.Database) -> int:
        covered = {
            a["intent_id"] for a in store.answers(db, shop_id, agent.id) if a["correct"] and a["intent_id"]
        }
        found = pool(
            db, shop_id, agent.id, body.mode, body.topic, settings.training_pick_similarity, covered, now
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
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]], dict[int, dict[str, Any]]]:
        r = store.round_row(db, round_id)
        if r is None:
            return None, [], {}
        return r, store.questions(db, round_id), {p["id"]: p for p in store.phrases(db, r["shop_id"])}

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
    body = await read_json(request, AnswerIn)
    q = await _question(request, agent)
    if q["agent_id"] != agent.id:
        raise Forbidden("只有做这轮练习的人能答题", [FieldError("question_id", "不是你的练习")])
    if q["round_finished_at"]:
        raise Conflict("这轮练习已经结束", [FieldError("question_id", "练习已结束")])
    settings = request.app[keys.SETTINGS]
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "answered_at": now.isoformat(timespec="microseconds"),
        "picked_phrase_id": body.phrase_id,
    }
    if body.phrase_id is not None:
        if body.phrase_id not in q["choices"]:
            raise BadRequest("只能从这道题给出的快捷短语里选", [FieldError("phrase_id", "不是这道题的选项")])
        values |= {"answer_text": "", "similarity": None, "auto_correct": body.phrase_id in q["right_picks"]}
    else:
        text = body.text or ""
        score = best_reference(text, q["refs"])[0]
        values |= {
            "answer_text": text,
            "similarity": score,
            "auto_correct": score >= settings.training_answer_similarity,
        }
    question_id = int(q["id"])

    def write(db: sqlite_utils.Database) -> bool:
        start = _at(store.last_answer_at(db, q["round_id"]) or q["round_started_at"])
        start = max(start, _at(q["round_started_at"]))
        elapsed = int((now - start).total_seconds() * 1000)
        limit = q["seconds_per_question"]
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


async def override(request: web.Request) -> web.Response:
    """The trainer's mark replaces the automatic one (and may record a pass)."""
    trainer = current_agent(request)
    body = await read_json(request, OverrideIn)
    q = await _question(request, trainer)
    if q["answered_at"] is None:
        raise Conflict("这道题还没有作答", [FieldError("question_id", "未作答")])
    question_id = int(q["id"])
    await request.app[keys.DB].write(
        lambda db: store.override(db, question_id, body.correct, trainer.id, body.note)
    )
    await _check_pass(request, q["shop_id"], q["agent_id"])
    fresh = await request.app[keys.DB].read(lambda db: store.question(db, question_id))
    assert fresh is not None
    mark = _mark(fresh)
    assert mark is not None
    return ok(AnswerOut(question_id=question_id, mark=mark))


async def progress_view(request: web.Request) -> web.Response:
    """Per trainee: coverage, accuracy, median answer time, rounds, the pass (a trainee sees their own row)."""
    agent = current_agent(request)
    shop_id = shop_of(request, agent, read_query(request, ProgressQuery).shop)
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
    query = read_query(request, AnswersQuery)
    shop_id = shop_of(request, agent, query.shop)
    rows = await request.app[keys.DB].read(lambda db: store.answers(db, shop_id, query.agent))
    out = []
    for r in rows[: query.limit]:
        mark = _mark(r)
        assert mark is not None
        out.append(
            AnsweredOut(
                question_id=r["id"],
                round_id=r["round_id"],
                agent_id=r["agent_id"],
                question=r["question"],
                mark=mark,
            )
        )
    return ok(AnswersOut(answers=out))


async def set_pass_mark(request: web.Request) -> web.Response:
    trainer = current_agent(request)
    body = await read_json(request, PassMarkIn)
    shop_id = shop_of(request, trainer, body.shop)
    await request.app[keys.DB].write(
        lambda db: store.set_pass_mark(db, shop_id, body.accuracy, body.coverage, trainer.id, _now())
    )
    return ok(PassMarkOut(accuracy=body.accuracy, coverage=body.coverage, set_by=trainer.name))


async def set_trainee(request: web.Request) -> web.Response:
    """Make an agent a trainee of the caller's main shop (or end it)."""
    trainer = current_agent(request)
    agent_id = path_int(request, "agent_id")
    body = await read_json(request, TraineeIn)
    target = request.app[keys.DIRECTORY].agents.get(agent_id)
    if target is None or target.main_shop_id not in trainer.shop_ids:
        raise NotFound(f"没有编号为 {agent_id} 的客服", [FieldError("agent_id", "找不到这个客服")])

    def write(db: sqlite_utils.Database) -> dict[str, Any] | None:
        store.set_trainee(db, agent_id, target.main_shop_id, body.trainee, trainer.id, _now())
        return store.trainee(db, agent_id)

    row = await request.app[keys.DB].write(write)
    gate = request.app[keys.TRAINING]
    if row is not None and row["passed_at"] is None:
        gate.unpassed.add(agent_id)
    else:
        gate.unpassed.discard(agent_id)
    passed = _at(row["passed_at"]) if row and row["passed_at"] else None
    return ok(TraineeOut(agent_id=agent_id, trainee=row is not None, passed_at=passed))

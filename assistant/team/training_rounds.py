"""What each mode of a round draws from, read through ``training_store`` (call inside ``db.read``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from assistant.team import training_store as store
from assistant.team.training import Candidate, Mode, Phrase, plain, right_picks
from assistant.team.training_rows import QcCase, TrainingCampaign, TrainingIntent


class NothingToAsk(Exception):
    """The mode has no question to ask (an unknown topic, no campaign, nothing changed): why, in Chinese."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Pool:
    candidates: list[Candidate]
    phrases: list[Phrase]
    covered: set[int]
    topic: str | None


def _at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _intent_candidates(
    rows: list[TrainingIntent], phrases: list[Phrase], threshold: float
) -> list[Candidate]:
    out = []
    for r in rows:
        if not r.examples or not r.answers:
            continue
        refs = tuple(plain(a) for a in r.answers)
        out.append(
            Candidate(
                source="intent",
                ref_id=r.id,
                intent_id=r.id,
                phrasings=tuple(r.examples),
                refs=refs,
                right_picks=right_picks(refs, phrases, threshold),
            )
        )
    return out


def _case_candidates(
    cases: Sequence[QcCase], intents: list[TrainingIntent], phrases: list[Phrase], threshold: float
) -> list[Candidate]:
    """QC's training cases as questions: the buyer's first message, answered as the excellent reply did, or
    else as the intent the matcher found it asks about (``intent_id`` on the case) answers; a case with
    neither is left out."""
    answers = {i.id: i.answers for i in intents if i.answers}
    out = []
    for case in cases:
        intent_id = case.intent_id if case.intent_id in answers else None
        refs: tuple[str, ...] = ()
        if case.excellent and case.reply.strip():
            refs = (case.reply.strip(),)
        elif intent_id is not None:
            refs = tuple(plain(a) for a in answers[intent_id])
        if refs:
            out.append(
                Candidate(
                    "case",
                    case.question_id,
                    intent_id,
                    (case.question,),
                    refs,
                    right_picks(refs, phrases, threshold),
                )
            )
    return out


def _campaign(campaigns: list[TrainingCampaign], topic: str | None, now: datetime) -> TrainingCampaign:
    if topic:
        found = next((c for c in campaigns if str(c.id) == topic or c.name == topic), None)
        if found is None:
            raise NothingToAsk("topic", f"没有名为「{topic}」的活动：请写活动名或编号")
        return found
    if not campaigns:
        raise NothingToAsk("mode", "店铺还没有活动：先在编辑器里建一个活动")
    running = [c for c in campaigns if _at(c.starts_at) <= now <= _at(c.ends_at)]
    coming = [c for c in campaigns if _at(c.starts_at) > now]
    return (running or coming or campaigns[-1:])[0]


def pool(
    db: sqlite_utils.Database,
    shop_id: int,
    agent_id: int,
    mode: Mode,
    topic: str | None,
    pick_threshold: float,
    covered: set[int],
    now: datetime,
    cases: Sequence[QcCase] = (),
) -> Pool:
    """The candidates of a round in ``mode`` (``topic``: an intent topic, or a campaign's name or id);
    ``cases``: QC's training cases (``training_store.qc_cases``, each with the ``intent_id`` its question
    asks about), asked in a timed round."""
    phrases = [Phrase(id=p.id, title=p.title, body=p.body) for p in store.phrases(db, shop_id)]
    intents = store.intents(db, shop_id)
    if mode == "topic":
        if not topic:
            raise NothingToAsk("topic", "按主题练习要选一个主题")
        intents = [i for i in intents if i.topic == topic]
        if not intents:
            raise NothingToAsk("topic", f"主题「{topic}」下没有意图")
    elif mode == "campaign":
        campaign = _campaign(store.campaigns(db, shop_id), topic, now)
        topic = campaign.name
        chosen = _intent_candidates(
            [i for i in intents if i.campaign_id == campaign.id], phrases, pick_threshold
        )
        for s in campaign.scripts:
            refs = (plain(s.body),)
            asked = s.situation or f"{s.title}：这种时候你怎么回复买家？"
            chosen.append(
                Candidate("script", s.id, None, (asked,), refs, right_picks(refs, phrases, pick_threshold))
            )
        if campaign.rules.strip():
            chosen.append(
                Candidate(
                    "rules",
                    campaign.id,
                    None,
                    (f"{campaign.name}有什么优惠？怎么算的？",),
                    (campaign.rules,),
                )
            )
        return Pool(chosen, phrases, covered, topic)
    elif mode == "what-changed":
        since = store.last_round_started(db, agent_id, shop_id)
        if since is None:
            raise NothingToAsk("mode", "还没有练习过：先做一轮限时或按主题练习，之后才能只练改动")
        moment = _at(since)
        intents = [i for i in intents if _at(i.updated_at) > moment]
        changed = [
            Candidate("phrase", p.id, None, (p.title,), (plain(p.body),), (p.id,))
            for p in store.phrases(db, shop_id)
            if _at(p.updated_at) > moment
        ]
        chosen = _intent_candidates(intents, phrases, pick_threshold) + changed
        if not chosen:
            raise NothingToAsk("mode", "上次练习之后，意图和快捷短语都没有改动")
        return Pool(chosen, phrases, covered, None)
    chosen = _intent_candidates(intents, phrases, pick_threshold)
    if mode == "timed":  # the whole set, and the conversations QC picked for training
        chosen += _case_candidates(cases, intents, phrases, pick_threshold)
    return Pool(chosen, phrases, covered, topic)

"""Quality control: the daily sample, the scorecard, calibration spread and the evidence hash. No I/O.

The **sample** gives each reviewer up to 50 conversations a day, stratified by agent: first the risky
ones (a missed 3-minute turn, a consultation that did not pay, refunds and after-sales, anger words,
forbidden or absolute words), then a random share. It is deterministic for a day and a reviewer, and
the day's conversations are dealt out between the reviewers so that two never get the same one
(calibration rounds aside).

A **review** scores categories on their scales; the review score is the weighted mean of the scored
categories (N/A left out), and a failed **critical item** (a conflict with the buyer, a forbidden word,
a wrong promise) sets it to 0. Calibration reviews never enter an agent's score.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

ANGER_WORDS: tuple[str, ...] = (
    "投诉",
    "差评",
    "举报",
    "垃圾",
    "骗子",
    "欺骗",
    "退款",
    "12315",
    "工商",
    "曝光",
    "太差",
    "什么破",
    "气死",
    "再也不买",
)
# 广告法 absolute words and words the platform forbids in service chats (an editable list)
FORBIDDEN_WORDS: tuple[str, ...] = (
    "最好",
    "第一",
    "最低价",
    "全网最低",
    "绝对",
    "100%",
    "百分百",
    "国家级",
    "顶级",
    "永久",
    "万能",
    "根治",
    "无效退款",
    "加QQ",
    "加微信",
    "加我微信",
    "私下交易",
    "线下交易",
    "滚",
    "爱买不买",
    "你有病",
)


class Reason:
    MISSED = "missed_turn"
    UNPAID = "did_not_pay"
    AFTER_SALES = "after_sales"
    ANGER = "anger"
    FORBIDDEN = "forbidden_words"
    RANDOM = "random"


REASON_ORDER = (Reason.FORBIDDEN, Reason.ANGER, Reason.MISSED, Reason.AFTER_SALES, Reason.UNPAID)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A conversation of the day, with what makes it risky."""

    conversation: str
    shop_id: int
    agent_id: int
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Picked:
    conversation: str
    shop_id: int
    agent_id: int
    reason: str


def _rank(day: date, salt: str, conversation: str) -> bytes:
    return hashlib.sha256(f"{day.isoformat()}|{salt}|{conversation}".encode()).digest()


def words_in(text: str, words: Iterable[str]) -> list[str]:
    """The listed words the text carries (case-insensitive for Latin letters), in list order."""
    folded = text.casefold()
    return [w for w in words if w.casefold() in folded]


def deal(candidates: Sequence[Candidate], reviewers: Sequence[int], day: date) -> dict[int, list[Candidate]]:
    """Deal the day's conversations out between the reviewers: each conversation goes to one of them,
    the same one whoever asks first (the deal depends only on the day and the reviewer list)."""
    ordered = sorted(candidates, key=lambda c: _rank(day, "deal", f"{c.shop_id}:{c.conversation}"))
    hands: dict[int, list[Candidate]] = {r: [] for r in sorted(reviewers)}
    order = sorted(reviewers)
    for index, candidate in enumerate(ordered):
        hands[order[index % len(order)]].append(candidate)
    return hands


def sample(
    hand: Sequence[Candidate], day: date, reviewer: int, size: int = 50, risk_share: float = 0.6
) -> list[Picked]:
    """A reviewer's sample from their hand: risky conversations first (stratified by agent, taking
    turns between agents so no one fills the sample), then random ones up to ``size``."""
    risky_quota = round(size * risk_share)
    salt = f"reviewer:{reviewer}"
    by_agent: dict[int, list[Candidate]] = defaultdict(list)
    for candidate in sorted(hand, key=lambda c: _rank(day, salt, f"{c.shop_id}:{c.conversation}")):
        if candidate.reasons:
            by_agent[candidate.agent_id].append(candidate)
    for queue in by_agent.values():
        queue.sort(key=lambda c: min(REASON_ORDER.index(r) for r in c.reasons if r in REASON_ORDER))
    picked: list[Picked] = []
    taken: set[tuple[int, str]] = set()
    while len(picked) < risky_quota and any(by_agent.values()):
        for agent_id in sorted(by_agent):
            if by_agent[agent_id] and len(picked) < risky_quota:
                c = by_agent[agent_id].pop(0)
                reason = min((r for r in c.reasons if r in REASON_ORDER), key=REASON_ORDER.index)
                picked.append(Picked(c.conversation, c.shop_id, c.agent_id, reason))
                taken.add((c.shop_id, c.conversation))
    rest = [c for c in hand if (c.shop_id, c.conversation) not in taken]
    rest.sort(key=lambda c: _rank(day, salt + ":random", f"{c.shop_id}:{c.conversation}"))
    # the random share is stratified by agent too
    by_agent_rest: dict[int, list[Candidate]] = defaultdict(list)
    for c in rest:
        by_agent_rest[c.agent_id].append(c)
    while len(picked) < size and any(by_agent_rest.values()):
        for agent_id in sorted(by_agent_rest):
            if by_agent_rest[agent_id] and len(picked) < size:
                c = by_agent_rest[agent_id].pop(0)
                picked.append(Picked(c.conversation, c.shop_id, c.agent_id, Reason.RANDOM))
    return picked


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    label: str
    weight: float
    scale: int = 5  # points 1..scale; 2 for a yes/no category
    critical: bool = False  # a critical item: failing it (the lowest point) sets the review to 0


SCORECARD: tuple[Category, ...] = (
    Category("greeting", "问候", 10),
    Category("response", "响应", 20),
    Category("expertise", "专业", 25),
    Category("cross_sell", "推荐关联", 15),
    Category("closing_sale", "促成", 20),
    Category("farewell", "结束语", 10),
    Category("no_conflict", "未与买家冲突", 0, scale=2, critical=True),
    Category("no_forbidden", "未用违禁词", 0, scale=2, critical=True),
    Category("no_wrong_promise", "未乱承诺", 0, scale=2, critical=True),
)


@dataclass(frozen=True, slots=True)
class ReviewScore:
    score: float  # 0-100
    zeroed_by: tuple[str, ...] = ()  # critical items failed
    parts: Mapping[str, float] = field(default_factory=dict)  # category → 0-100


def review_score(marks: Mapping[str, int | None], card: Sequence[Category] = SCORECARD) -> ReviewScore:
    """Category score = (mark − 1) ÷ (scale − 1) × 100; the review is their weighted mean over the
    scored ones (``None`` is N/A); a critical item marked at its lowest sets it to 0."""
    unknown = set(marks) - {c.key for c in card}
    if unknown:
        raise ValueError(f"unknown categories: {sorted(unknown)}")
    parts: dict[str, float] = {}
    failed: list[str] = []
    total = weight = 0.0
    for category in card:
        mark = marks.get(category.key)
        if mark is None:
            continue
        if not 1 <= mark <= category.scale:
            raise ValueError(f"{category.key}: {mark} is outside 1..{category.scale}")
        points = (mark - 1) / (category.scale - 1) * 100
        parts[category.key] = points
        if category.critical and mark == 1:
            failed.append(category.key)
        if category.weight > 0:
            total += points * category.weight
            weight += category.weight
    score = 0.0 if failed else (total / weight if weight else 0.0)
    return ReviewScore(round(score, 2), tuple(failed), parts)


def spread(scores: Mapping[int, float]) -> dict[str, float]:
    """How far the calibration reviewers were apart on one conversation: range and standard deviation."""
    values = list(scores.values())
    if len(values) < 2:
        return {"range": 0.0, "stdev": 0.0, "mean": values[0] if values else 0.0}
    return {
        "range": max(values) - min(values),
        "stdev": statistics.pstdev(values),
        "mean": statistics.fmean(values),
    }


def canonical(payload: Mapping[str, Any]) -> bytes:
    """The bytes an evidence hash is taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode()


def evidence_hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


# ---- what a team edits: the scorecard and the word list; findings and tags ------------------------

#: conversation tags for the weekly meeting: lost orders and excellent cases
TAGS: Mapping[str, str] = {"lost_order": "丢单", "excellent": "优秀"}
#: what a finding opens: a fix on one quick reply or intent (the editor sees it), or a training card
FINDING_KINDS: Mapping[str, str] = {"fix": "修改", "training": "培训"}
FIX_TARGETS: Mapping[str, str] = {"quick_reply": "快捷短语", "intent": "意图"}


@dataclass(slots=True)
class Config:
    """The team's scorecard and forbidden-word list (defaults until a supervisor edits them); one per
    process, replaced whole on each edit."""

    categories: tuple[Category, ...] = SCORECARD
    forbidden_words: tuple[str, ...] = FORBIDDEN_WORDS


def card_problems(categories: Sequence[Category]) -> list[tuple[int, str]]:
    """What makes a scorecard unusable, as (index, message): repeated keys, a critical item that is
    not yes/no or carries weight, no weighted category to score on."""
    problems: list[tuple[int, str]] = []
    seen: set[str] = set()
    for index, c in enumerate(categories):
        if c.key in seen:
            problems.append((index, f"类别 {c.key} 重复了"))
        seen.add(c.key)
        if c.critical and (c.scale != 2 or c.weight != 0):
            problems.append((index, "关键项只能是“是/否”两档，且不计权重"))
    if not any(c.weight > 0 and not c.critical for c in categories):
        problems.append((-1, "至少要有一个计权重的评分类别"))
    return problems


def week_of(day: date) -> tuple[date, date]:
    """The Monday-to-Sunday week holding ``day``, as ``[monday, next monday)``."""
    monday = date.fromordinal(day.toordinal() - day.weekday())
    return monday, date.fromordinal(monday.toordinal() + 7)

"""KPI arithmetic: metric points, role scorecards, several shops, the bonus and what the next band
needs. Pure functions over figures; where the figures come from is the report's business.

The seeds' defaults, all editable: conversion 50, response time and satisfaction next, unit price (or
items per buyer) 20; bonus base 3,000 at 90 and above, 2,000 from 80, 1,000 below; bonus = base ×
score ÷ 100; an agent in two shops scores main × 0.6 + other × 0.4; the refund reviewer's card is
efficiency 70 / quality 30; 60% of a supervisor's score is the team's average.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Target:
    """How a metric maps to 0–100 points: ``worst`` gives 0, ``best`` gives 100, linear between.
    Lower-is-better metrics (response seconds) simply have ``worst > best``."""

    worst: float
    best: float
    label: str
    unit: str = ""  # how a change is said: "个百分点", "秒", "元"
    scale: float = 1.0  # shown value = stored value × scale (a rate 0.42 is shown as 42 个百分点)

    def points(self, value: float) -> float:
        span = self.best - self.worst
        return max(0.0, min(100.0, (value - self.worst) / span * 100))

    def change_for(self, points: float) -> float:
        """The change of the metric's value that earns ``points`` more of its 0–100 points."""
        return points / 100 * (self.best - self.worst)


TARGETS: dict[str, Target] = {
    "conversion": Target(0.20, 0.60, "转化率", "个百分点", 100),
    "response_s": Target(60, 15, "平均响应", "秒"),
    "satisfaction": Target(0.80, 1.00, "满意率", "个百分点", 100),
    "unit_price_yuan": Target(50, 300, "客单价", "元"),
    "items_per_buyer": Target(1.0, 2.0, "客件数", "件"),
    "efficiency": Target(0.50, 1.00, "处理效率", "个百分点", 100),
    "quality": Target(0.90, 1.00, "处理质量", "个百分点", 100),
    "qc": Target(60, 100, "质检分", "分"),
}


@dataclass(frozen=True, slots=True)
class Card:
    """A role's scorecard: metric → weight (the weights need not add up to 100: they are shares)."""

    weights: Mapping[str, float]
    team_share: float = 0.0  # the share of the score that is the team's average (supervisors: 0.6)


CARDS: dict[str, Card] = {
    "agent": Card({"conversion": 50, "response_s": 15, "satisfaction": 15, "unit_price_yuan": 20}),
    "refund_reviewer": Card({"efficiency": 70, "quality": 30}),
    "supervisor": Card({"conversion": 50, "response_s": 15, "satisfaction": 15, "unit_price_yuan": 20}, 0.6),
}


@dataclass(frozen=True, slots=True)
class Part:
    metric: str
    value: float
    points: float  # 0–100 on the metric's own scale
    weight: float  # share of the card, 0–1 (renormalised over the metrics that have a value)

    @property
    def score(self) -> float:
        return self.points * self.weight


@dataclass(frozen=True, slots=True)
class Score:
    value: float
    parts: tuple[Part, ...] = ()


def card_score(
    figures: Mapping[str, float | None], card: Card, targets: Mapping[str, Target] = TARGETS
) -> Score | None:
    """The card's score from one set of figures; metrics without a figure (no ratings yet) are left
    out and the others share their weight. None when no metric has a figure (no consultations)."""
    present = {m: w for m, w in card.weights.items() if w > 0 and figures.get(m) is not None}
    total = sum(present.values())
    if not total:
        return None
    parts = []
    for metric, weight in present.items():
        value = figures[metric]
        assert value is not None
        parts.append(Part(metric, value, targets[metric].points(value), weight / total))
    return Score(sum(p.score for p in parts), tuple(parts))


def shops_score(scores: Mapping[K, Score | None], weights: Mapping[K, float]) -> float | None:
    """Σ shop score × the agent's weight in that shop, over the shops with a score (weights are
    renormalised, so an agent with one shop scores that shop's score)."""
    scored = {shop: s.value for shop, s in scores.items() if s is not None and weights.get(shop, 0) > 0}
    total = sum(weights[shop] for shop in scored)
    if not total:
        return None
    return sum(value * weights[shop] for shop, value in scored.items()) / total


def with_team(own: float | None, team_average: float | None, card: Card) -> float | None:
    """A supervisor's score: ``team_share`` of it is the team's average, the rest their own card."""
    if not card.team_share or team_average is None:
        return own
    if own is None:
        return team_average
    return team_average * card.team_share + own * (1 - card.team_share)


@dataclass(frozen=True, slots=True)
class Band:
    min_score: float
    base_yuan: int


BANDS: tuple[Band, ...] = (Band(90, 3000), Band(80, 2000), Band(0, 1000))


def rounded(score: float) -> Decimal:
    """Scores are kept to two decimals, rounded half up (89.995 → 90.00, which is the next band)."""
    return Decimal(str(score)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def band_for(score: float, bands: Sequence[Band] = BANDS) -> Band:
    value = rounded(score)
    for band in sorted(bands, key=lambda b: -b.min_score):
        if value >= Decimal(str(band.min_score)):
            return band
    return min(bands, key=lambda b: b.min_score)


def bonus_yuan(score: float, bands: Sequence[Band] = BANDS) -> Decimal:
    """Base of the score's band × score ÷ 100, in yuan to the fen (90 → 3000 × 0.9 = 2700.00)."""
    value = rounded(score)
    return (Decimal(band_for(score, bands).base_yuan) * value / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Step:
    """One way to reach the next band: change ``metric`` by ``change`` (in its unit, shown scale)."""

    metric: str
    label: str
    change: float
    unit: str


@dataclass(frozen=True, slots=True)
class Explanation:
    score: Decimal
    base_yuan: int
    bonus_yuan: Decimal
    next_band: Band | None
    points_short: Decimal | None
    steps: tuple[Step, ...] = field(default=())

    def text(self) -> str:
        """The sentence a supervisor and the agent read, e.g.
        "89 分 → 基数 2000；再得 1 分进 3000 档：转化率 +0.6 个百分点，或平均响应 −4 秒"."""
        head = f"{_number(self.score)} 分 → 基数 {self.base_yuan}"
        if self.next_band is None or self.points_short is None:
            return head + "（已是最高档）"
        head += f"；再得 {_number(self.points_short)} 分进 {self.next_band.base_yuan} 档"
        if not self.steps:
            return head
        ways = "，或".join(f"{s.label} {_signed(s.change)} {s.unit}" for s in self.steps)
        return f"{head}：{ways}"


def explain(
    score: Score,
    bands: Sequence[Band] = BANDS,
    targets: Mapping[str, Target] = TARGETS,
    scale: float = 1.0,
    total: float | None = None,
) -> Explanation:
    """The score, its base and bonus, and per metric what alone would lift it into the next band.

    ``total`` is the final score when this card is only part of it, and ``scale`` how much of it this
    card makes (a shop weight of 0.6, or a supervisor's own 0.4): a point of the final score costs
    1/scale points of this card."""
    value = rounded(score.value if total is None else total)
    band = band_for(float(value), bands)
    higher = sorted((b for b in bands if b.min_score > band.min_score), key=lambda b: b.min_score)
    bonus = (Decimal(band.base_yuan) * value / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if not higher:
        return Explanation(value, band.base_yuan, bonus, None, None)
    nxt = higher[0]
    short = Decimal(str(nxt.min_score)) - value
    steps = []
    for part in sorted(score.parts, key=lambda p: -p.weight):
        need_points = float(short) / scale / part.weight  # of the metric's 0–100
        if part.points + need_points > 100 + 1e-9:
            continue  # this metric alone cannot close the gap
        target = targets[part.metric]
        change = target.change_for(need_points) * target.scale
        steps.append(Step(part.metric, target.label, _ceil_to(change, 0.1), target.unit))
    return Explanation(value, band.base_yuan, bonus, nxt, short, tuple(steps))


def _ceil_to(value: float, step: float) -> float:
    """Round away from zero to ``step`` (what is needed, never a little less)."""
    units = math.ceil(abs(value) / step - 1e-9)
    return math.copysign(units * step, value)


def _number(value: Decimal | float) -> str:
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _signed(value: float) -> str:
    text = _number(abs(value))
    return f"+{text}" if value >= 0 else f"−{text}"

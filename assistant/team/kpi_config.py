"""The KPI settings a supervisor edits: weights per role, each metric's targets, the bonus bands and
the agent levels' published criteria. Defaults are the seeds' (``kpi.py``); the saved copy lives in
``kpi_settings`` (team:0008) and is read through ``store.kpi_settings``.

Levels 普通 → 高级 → 精英 → 专家 → 金牌 come from the KPI history: an agent holds the highest level
whose criteria their last ``months`` months meet (an average score of at least ``min_average``, no month
under ``min_each``). The QC score (``qc``) is a metric like the others: a card gives it a weight once
QC scores feed the figures (``reports.Figures.metrics``); until then it has no figure and is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, model_validator

from assistant.team import kpi
from knowledge.models import Model

LEVEL_NAMES = ("普通", "高级", "精英", "专家", "金牌")
ROLES = ("agent", "refund_reviewer", "supervisor")

Points = Annotated[float, Field(ge=0, le=1000)]


class TargetIn(Model):
    worst: float = Field(description="the value that gives 0 points")
    best: float = Field(description="the value that gives 100 points (below worst: lower is better)")

    @model_validator(mode="after")
    def _apart(self) -> TargetIn:
        if self.worst == self.best:
            raise ValueError("worst 和 best 不能相同：0 分和 100 分要有区别")
        return self


class CardIn(Model):
    weights: dict[str, Points] = Field(description="metric → weight (shares, need not add to 100)")
    team_share: Annotated[float, Field(ge=0, le=1)] = Field(0.0, description="share from the team's average")


class BandIn(Model):
    min_score: Annotated[float, Field(ge=0, le=100)]
    base_yuan: Annotated[int, Field(ge=0, le=1_000_000)]


class LevelIn(Model):
    name: str = Field(description="普通, 高级, 精英, 专家 or 金牌")
    months: Annotated[int, Field(ge=0, le=24)] = Field(description="how many recent months count")
    min_average: Annotated[float, Field(ge=0, le=100)] = Field(description="their average score at least")
    min_each: Annotated[float, Field(ge=0, le=100)] = Field(0, description="no month below this")


class KpiConfig(Model):
    """Everything editable about the score and the bonus."""

    cards: dict[str, CardIn]
    targets: dict[str, TargetIn]
    bands: list[BandIn]
    levels: list[LevelIn]
    main_shop_weight: Annotated[float, Field(gt=0, le=1)] = Field(
        0.6, description="an agent's main shop's share when they work in several (the others share the rest)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> KpiConfig:
        unknown = sorted(set(self.cards) - set(ROLES))
        if unknown:
            raise ValueError(f"cards 里没有这个角色：{'、'.join(unknown)}（可用：{'、'.join(ROLES)}）")
        for role, card in self.cards.items():
            missing = sorted(set(card.weights) - set(self.targets))
            if missing:
                raise ValueError(f"{role} 的权重用到了没有目标的指标：{'、'.join(missing)}")
            if not any(w > 0 for w in card.weights.values()):
                raise ValueError(f"{role} 的权重全是 0：至少一项要大于 0")
        if not self.bands or min(b.min_score for b in self.bands) != 0:
            raise ValueError("bands 要有一档从 0 分起（最低档）")
        if len({b.min_score for b in self.bands}) != len(self.bands):
            raise ValueError("bands 的起点分数不能重复")
        if [lv.name for lv in self.levels] != list(LEVEL_NAMES):
            raise ValueError(f"levels 要依次是 {' → '.join(LEVEL_NAMES)}")
        averages = [lv.min_average for lv in self.levels]
        if averages != sorted(averages):
            raise ValueError("等级越高，min_average 不能越低")
        return self

    def card(self, role: str) -> kpi.Card:
        spec = self.cards.get(role) or self.cards["agent"]
        return kpi.Card(dict(spec.weights), spec.team_share)

    def target_map(self) -> dict[str, kpi.Target]:
        out = dict(kpi.TARGETS)
        for metric, t in self.targets.items():
            known = kpi.TARGETS.get(metric)
            out[metric] = kpi.Target(
                t.worst,
                t.best,
                known.label if known else metric,
                known.unit if known else "",
                known.scale if known else 1.0,
            )
        return out

    def band_list(self) -> tuple[kpi.Band, ...]:
        return tuple(kpi.Band(b.min_score, b.base_yuan) for b in self.bands)


def default_config() -> KpiConfig:
    return KpiConfig(
        cards={
            role: CardIn(weights=dict(card.weights), team_share=card.team_share)
            for role, card in kpi.CARDS.items()
        },
        targets={m: TargetIn(worst=t.worst, best=t.best) for m, t in kpi.TARGETS.items()},
        bands=[BandIn(min_score=b.min_score, base_yuan=b.base_yuan) for b in kpi.BANDS],
        levels=[
            LevelIn(name="普通", months=0, min_average=0),
            LevelIn(name="高级", months=1, min_average=70),
            LevelIn(name="精英", months=2, min_average=80, min_each=70),
            LevelIn(name="专家", months=3, min_average=88, min_each=80),
            LevelIn(name="金牌", months=6, min_average=93, min_each=88),
        ],
    )


@dataclass(frozen=True, slots=True)
class Standing:
    level: str
    next_level: str | None
    needs: str  # what the next level takes, in words ("" at the top)
    history: tuple[float, ...]  # the scores it was judged on, newest first


def _meets(scores: Sequence[float], level: LevelIn) -> bool:
    if level.months == 0:
        return True
    recent = scores[: level.months]
    if len(recent) < level.months:
        return False
    return sum(recent) / len(recent) >= level.min_average and min(recent) >= level.min_each


def standing(scores: Sequence[float | None], levels: Sequence[LevelIn]) -> Standing:
    """The level of an agent whose monthly scores are ``scores``, newest first (a month with no score
    ends the history: levels need consecutive months), and what the next level needs."""
    history: list[float] = []
    for value in scores:
        if value is None:
            break
        history.append(value)
    held = levels[0]
    for level in levels:
        if _meets(history, level):
            held = level
        else:
            break
    index = list(levels).index(held)
    if index + 1 >= len(levels):
        return Standing(held.name, None, "", tuple(history))
    nxt = levels[index + 1]
    recent = history[: nxt.months]
    parts = []
    if len(recent) < nxt.months:
        parts.append(f"连续 {nxt.months} 个月有成绩（现有 {len(recent)} 个月）")
    average = sum(recent) / len(recent) if recent else None
    now = f"，现在 {average:.1f}" if average is not None else ""
    parts.append(f"近 {nxt.months} 个月平均 ≥ {nxt.min_average:g} 分{now}")
    if nxt.min_each:
        parts.append(f"每月都不低于 {nxt.min_each:g} 分")
    return Standing(held.name, nxt.name, f"升{nxt.name}需要：" + "；".join(parts), tuple(history))

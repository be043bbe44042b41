"""Request and response models of the KPI views' API (``assistant.api.kpi_views``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from assistant.api.io import QueryId
from assistant.api.kpi_scores import AgentKpi
from assistant.api.reports_models import AnyPeriod
from assistant.team.kpi_config import KpiConfig
from knowledge.models import Model

DRILL_LIMIT = 500


class SettingsOut(Model):
    version: int = Field(description="0 while the defaults were never saved")
    set_by: int | None
    set_at: str | None
    config: KpiConfig


class SettingsIn(Model):
    version: Annotated[int, Field(ge=0)] = Field(description="the version the editor saw (409 when stale)")
    config: KpiConfig


class MeQuery(Model):
    period: AnyPeriod | None = Field(None, description="default: this month")


class MeOut(Model):
    period: str
    row: AgentKpi


class ReportQuery(Model):
    period: AnyPeriod = Field(description="a month YYYY-MM, an ISO week YYYY-Www or a day YYYY-MM-DD")
    shop: QueryId | None = Field(None, description="one shop; default: every shop the caller is logged into")


class ChartsOut(Model):
    trend: str = Field(description="SVG: the team's conversion and 3-minute rate per day")
    bars: str = Field(description="SVG: each agent's score with the bonus bands")
    heatmap: str = Field(description="SVG: buyers' messages by weekday × clock hour")


class DrillQuery(ReportQuery):
    agent: QueryId | None = Field(None, description="one agent's conversations")
    filter: Literal["all", "paid", "unpaid", "slow", "unreplied"] = Field(
        "all", description="paid / unpaid within 4 days, slow (a turn over 3 minutes), unreplied"
    )
    limit: Annotated[int, Field(ge=1, le=DRILL_LIMIT)] = DRILL_LIMIT


class ConversationOut(Model):
    shop_id: int
    conversation: str
    buyer: str
    agent_id: int | None
    agent: str | None
    day: date
    started: datetime
    buyer_messages: int
    agent_messages: int
    first_response_s: float | None
    turns: int
    turns_within: int
    paid: bool
    paid_yuan: str


class DrillOut(Model):
    total: int = Field(description="conversations matching, before the limit")
    counts: dict[str, int] = Field(description="filter → how many of the agent's conversations match it")
    conversations: list[ConversationOut]

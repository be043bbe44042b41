"""Request and response models of the KPI report's API (``assistant.api.reports``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from assistant.api.io import QueryId
from assistant.api.kpi_scores import AgentKpi
from assistant.team.kpi_config import BandIn
from assistant.team.periods import PATTERN
from knowledge.models import Model

Period = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


AnyPeriod = Annotated[str, StringConstraints(pattern=PATTERN)]


class KpiQuery(Model):
    period: AnyPeriod = Field(
        description="a month YYYY-MM, an ISO week YYYY-Www or a day YYYY-MM-DD (in the shop's time zone)"
    )
    shop: QueryId | None = Field(None, description="one shop; default: every shop the caller is logged into")


class KpiOut(Model):
    period: str
    shop: int | None
    closed: bool
    closed_at: datetime | None = None
    changed_since_close: bool = Field(
        False, description="a recomputation now differs from the frozen figures"
    )
    kind: str = Field("month", description="day, week or month")
    weights: dict[str, float]
    bands: list[BandIn] = Field(default_factory=list, description="the bonus bands the bases came from")
    agents: list[AgentKpi]

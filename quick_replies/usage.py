"""Who used which phrase, weighted by recency: the tie-breaker of the lookup's ranking.

Each use adds ``2 ** ((at - epoch) / half_life)``; multiplying every weight by the same
``2 ** (-(now - epoch) / half_life)`` gives today's decayed count, so recording a use is
one dict update and nothing is ever rescanned.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

HALF_LIFE_DAYS = 14.0
_SECONDS = HALF_LIFE_DAYS * 86400


@dataclass(frozen=True, slots=True)
class Use:
    agent_id: int
    team_id: int | None
    phrase_id: int
    at: datetime


class UsageStats:
    """Recency-weighted use counts per agent and per team."""

    def __init__(self, epoch: datetime | None = None) -> None:
        self.epoch = epoch or datetime.now(UTC)
        self.by_agent: dict[int, dict[int, float]] = {}
        self.by_team: dict[int, dict[int, float]] = {}

    def _weight(self, at: datetime) -> float:
        exponent = (at - self.epoch).total_seconds() / _SECONDS
        return float(2.0 ** max(-60.0, min(exponent, 60.0)))

    def add(self, use: Use, count: int = 1) -> None:
        weight = self._weight(use.at) * count
        mine = self.by_agent.setdefault(use.agent_id, {})
        mine[use.phrase_id] = mine.get(use.phrase_id, 0.0) + weight
        if use.team_id is not None:
            team = self.by_team.setdefault(use.team_id, {})
            team[use.phrase_id] = team.get(use.phrase_id, 0.0) + weight

    def add_all(self, uses: Iterable[tuple[Use, int]]) -> None:
        for use, count in uses:
            self.add(use, count)

    def decay(self, moment: datetime) -> float:
        """The factor turning stored weights into decayed counts at ``moment``."""
        return 1.0 / self._weight(moment)

    def boost(self, agent_id: int, team_id: int | None, phrase_id: int, decay: float) -> float:
        """Between 0 and 4.9: the agent's own recent use weighs most, the team's less."""
        mine = self.by_agent.get(agent_id, {}).get(phrase_id, 0.0) * decay
        team = self.by_team.get(team_id, {}).get(phrase_id, 0.0) * decay if team_id is not None else 0.0
        return 3.5 * mine / (mine + 2.0) + 1.4 * team / (team + 5.0)

    def used_by(self, agent_id: int, team_id: int | None) -> set[int]:
        """Ids of every phrase the agent or the agent's team has used."""
        ids = set(self.by_agent.get(agent_id, {}))
        if team_id is not None:
            ids.update(self.by_team.get(team_id, {}))
        return ids

    def forget(self, phrase_id: int) -> None:
        for table in (*self.by_agent.values(), *self.by_team.values()):
            table.pop(phrase_id, None)

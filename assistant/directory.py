"""The shops and agents this service knows, and the agents' tokens.

Tokens are ``kf<agent id>.<hmac>``: an HMAC of the agent id under a secret kept in the
data directory. Nothing secret is stored in the database, ``kefu token`` can print any
agent's token again, and replacing the secret file revokes them all.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field

from knowledge.models import Agent, Shop


@dataclass
class Directory:
    """The shops and agents known to this service, and the agents' tokens."""

    secret: bytes
    agents: dict[int, Agent] = field(default_factory=dict)
    shops: dict[int, Shop] = field(default_factory=dict)

    def replace(self, agents: Iterable[Agent], shops: Iterable[Shop]) -> None:
        self.agents = {agent.id: agent for agent in agents}
        self.shops = {shop.id: shop for shop in shops}

    def token_for(self, agent_id: int) -> str:
        digest = hmac.new(self.secret, f"agent:{agent_id}".encode(), hashlib.sha256).hexdigest()
        return f"kf{agent_id}.{digest[:40]}"

    def authenticate(self, token: str) -> Agent | None:
        head, _, _ = token.partition(".")
        if not head.startswith("kf") or not head[2:].isdigit():
            return None
        agent = self.agents.get(int(head[2:]))
        if agent is None or not agent.active:
            return None
        return agent if hmac.compare_digest(token, self.token_for(agent.id)) else None

    def by_login(self, login: str) -> Agent | None:
        return next((a for a in self.agents.values() if a.login == login), None)

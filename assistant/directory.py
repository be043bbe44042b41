"""The shops and agents this service knows, and the agents' tokens.

Tokens are ``kf<agent id>.<hmac>``: an HMAC of the agent id under a secret kept in the
data directory. Nothing secret is stored in the database, ``kefu token`` can print any
agent's token again, and replacing the secret file revokes them all.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from knowledge.models import Agent, Shop
from knowledge.store_shops import DEFAULT_ZONE, zone

TOKEN_RE = re.compile(r"kf(?P<id>[1-9][0-9]{0,17})\.[0-9a-f]{40}", re.ASCII)


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
        """The agent a token names, or None for anything else: a token is ``kf`` + ASCII digits + ``.``
        + 40 hex digits, so Unicode digits, other characters and overlong ids never reach ``int``."""
        match = TOKEN_RE.fullmatch(token)
        if match is None:
            return None
        agent = self.agents.get(int(match["id"]))
        if agent is None or not agent.active:
            return None
        expected = self.token_for(agent.id).encode("ascii")
        return agent if hmac.compare_digest(token.encode("ascii"), expected) else None

    def zone(self, shop_id: int) -> ZoneInfo:
        """The shop's time zone, the one source of a shop's dates (see ``knowledge.store_shops``)."""
        shop = self.shops.get(shop_id)
        return zone(shop.timezone if shop else DEFAULT_ZONE)

    def by_login(self, login: str) -> Agent | None:
        return next((a for a in self.agents.values() if a.login == login), None)

"""The team hub's state the app keeps (``keys.HUB``): its URL, pool and change-feed follower. Apart from
the service so that ``assistant.keys`` can name it without importing the service (which imports the
errors, which import the keys)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # asyncpg is the optional "hub" extra: imported only in hub mode
    import asyncpg

    from assistant.hub import feed


@dataclass
class Hub:
    url: str
    pool: asyncpg.Pool
    follower: feed.Follower

    async def check(self) -> str:
        """``ok``, or what is wrong, for /healthz."""
        import asyncpg

        try:
            await asyncio.wait_for(self.pool.fetchval("SELECT 1"), 2)  # acquiring may reconnect: bound it all
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            return f"unreachable: {exc.__class__.__name__}"
        return "ok" if self.follower.listening else "ok (polling: notifications down)"

"""The hub inside the service: the connection pool, migrations at start, the change feed keeping this
process's lookup index current, the health check, and a refusal for routes not on the hub yet."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from assistant import keys
from assistant.conversations.log import SqliteConversationLog
from assistant.errors import HttpError
from assistant.hub.state import Hub
from assistant.team.watch_claims import SqliteWatchClaims
from quick_replies.rows import StoredQuickReply, stored
from quick_replies.store_interface import SqliteQuickReplyStore

if TYPE_CHECKING:  # asyncpg is the optional "hub" extra: imported only in hub mode
    import asyncpg

    from assistant.hub import feed
    from quick_replies.lookup import QuickReplyLibrary

log = logging.getLogger("kefu.hub")

#: what the hub holds so far; everything else stays in each process's own SQLite file
SHARED = (
    "quick_replies",
    "claims",
    "sidebar events (SSE replay)",
    "watch take-over claims",
    "conversation log",
)
LOCAL = (
    "knowledge base and revisions", "commerce mirror and edit outbox", "watch clocks (who waits since when)",
    "reminder tasks", "QC samples", "KPI aggregates and closes", "usage events (quick-reply ranking)",
    "shops, teams and agents",
)  # fmt: skip
#: routes that still read or write quick replies in the local SQLite file: refused in hub mode
NOT_ON_HUB = {"qr_import", "qr_usage_report"}


class NotOnHubYet(HttpError):
    status = 501


def _asyncpg() -> None:
    try:
        import asyncpg  # noqa: F401
    except ImportError as exc:
        raise RuntimeError(
            "KEFU_DATABASE_URL is set but asyncpg is not installed: pip install 'kefu-assistant[hub]'"
        ) from exc


async def open_pool(url: str, size: int) -> asyncpg.Pool:
    _asyncpg()
    import asyncpg

    pool: asyncpg.Pool = await asyncpg.create_pool(url, min_size=1, max_size=size, command_timeout=30)
    return pool


async def migrate_url(url: str) -> list[str]:
    """Apply the hub's migrations to the database at ``url`` (``kefu migrate``; start-up does the same)."""
    _asyncpg()
    import asyncpg

    from assistant.hub import schema

    conn = await asyncpg.connect(url, timeout=10)
    try:
        return await schema.migrate(conn)
    finally:
        await conn.close()


async def hub_ctx(app: web.Application) -> AsyncIterator[None]:
    """SQLite mode: the shared stores (quick replies, take-over claims, the conversation log) are the
    SQLite ones. Hub mode: open the pool, migrate, and use the PostgreSQL stores; the feed's cursor is
    taken before the index loads (hub_feed_ctx starts it)."""
    settings = app[keys.SETTINGS]
    if not settings.database_url:
        app[keys.QR_STORE] = SqliteQuickReplyStore(app[keys.DB])
        app[keys.WATCH_CLAIMS] = SqliteWatchClaims(app[keys.DB])
        app[keys.CONVERSATIONS] = SqliteConversationLog(app[keys.DB])
        yield
        return
    from assistant.hub import feed, schema
    from assistant.hub.conversation_log import PgConversationLog
    from assistant.hub.quick_replies import PgQuickReplyStore
    from assistant.hub.watch_claims import PgWatchClaims

    pool = await open_pool(settings.database_url, settings.hub_pool_size)
    try:
        async with pool.acquire() as conn:
            applied = await schema.migrate(conn)
        if applied:
            log.info("team hub: applied migrations %s", ", ".join(applied))
        log.warning(
            "team hub mode: %s are shared in PostgreSQL; still local to this process's SQLite file: %s",
            ", ".join(SHARED), "; ".join(LOCAL),
        )  # fmt: skip
        follower = feed.Follower(
            pool, settings.database_url, settings.hub_poll_seconds, await feed.latest(pool)
        )
        app[keys.HUB] = Hub(settings.database_url, pool, follower)
        directory = app[keys.DIRECTORY]

        def agent_name(agent_id: int) -> str | None:
            agent = directory.agents.get(agent_id)
            return agent.name if agent else None

        def shop_name(shop_id: int) -> str | None:
            shop = directory.shops.get(shop_id)
            return shop.name if shop else None

        app[keys.QR_STORE] = PgQuickReplyStore(pool, agent_name, shop_name)
        app[keys.WATCH_CLAIMS] = PgWatchClaims(pool, agent_name, app[keys.DB])
        app[keys.CONVERSATIONS] = PgConversationLog(pool)
        yield
    finally:
        await pool.close()


def _phrase(data: dict[str, Any]) -> StoredQuickReply:
    """A phrase change's payload: a ``StoredQuickReply`` dump, or (written before it was one, and still in
    ``changes``) the saved row itself."""
    return StoredQuickReply.model_validate(data) if "reply" in data else stored(data)


def follow_quick_replies(library: QuickReplyLibrary) -> feed.Listener:
    """Apply phrase changes from the feed to the lookup index. A change older than what the index holds
    (this process published its own newer save first) is skipped; versions only grow per phrase."""

    def apply(change: feed.Change) -> None:
        current = library.index.get(change.entity_id)
        if change.op == "upsert" and change.data is not None:
            if current is None or current.version <= change.version:
                library.publish(_phrase(change.data))
        elif current is None or current.version < change.version:
            library.drop(change.entity_id)

    return apply


async def hub_feed_ctx(app: web.Application) -> AsyncIterator[None]:
    """After the in-memory indexes are built: follow the feed into them, stop following first."""
    hub = app.get(keys.HUB)
    if hub is None:
        yield
        return
    hub.follower.subscribe("quick_reply", follow_quick_replies(app[keys.QUICK_REPLIES]))
    await hub.follower.listen()  # the doorbell first, so nothing rung from here on is missed
    await hub.follower.catch_up()  # what changed while the index loaded
    hub.follower.start()
    try:
        yield
    finally:
        await hub.follower.stop()


@web.middleware
async def hub_guard(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """In hub mode, refuse the routes that would still use the local quick-reply tables."""
    name = request.match_info.route.name
    if name in NOT_ON_HUB and request.app[keys.SETTINGS].database_url:
        raise NotOnHubYet(
            "团队中心模式下暂不支持快捷短语的导入和使用报告（导入仍只写本机 SQLite，使用记录也只在本机）：请在编辑器中逐条维护",
        )
    return await handler(request)

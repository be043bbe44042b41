"""The application factory: ``create_app(settings) -> web.Application``."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator

from aiohttp import web
from sqlite_utils import Migrations

from assistant import keys
from assistant.api import event_stream, grants, quick_replies, training, watch
from assistant.api.commerce import commerce_ctx
from assistant.api.knowledge import matcher_ctx
from assistant.api.qc_findings import qc_ctx
from assistant.api.semantic import semantic_ctx
from assistant.api.shop_import import import_jobs_ctx
from assistant.directory import Directory
from assistant.errors import error_middleware
from assistant.hub.service import hub_ctx, hub_feed_ctx, hub_guard
from assistant.jobs import schedule_ctx
from assistant.manifest import load_manifest
from assistant.migrations import migrations as assistant_migrations
from assistant.path_params import path_middleware
from assistant.routes import ENDPOINTS, setup_routes
from assistant.security import auth_middleware, host_middleware, load_secret
from assistant.settings import Settings
from assistant.team.migrations import migrations as team_migrations
from assistant.ttl_cache import TtlCache
from assistant.usage import UsageRecorder
from assistant.web.pages import setup_static
from knowledge import store as kb_store
from knowledge.database import AsyncDatabase
from knowledge.migrations import migrations as knowledge_migrations
from knowledge.render_pool import RenderPool
from quick_replies.migrations import migrations as quick_reply_migrations

log = logging.getLogger("kefu")

# Bottom layer first: later sets reference tables of earlier ones.
MIGRATION_SETS: tuple[Migrations, ...] = (
    knowledge_migrations,
    quick_reply_migrations,
    assistant_migrations,
    team_migrations,
)


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: every response the app sends, errors and static files included, says
    ``nosniff`` and ``no-referrer``; API answers and every error also say ``no-store``."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.path.startswith("/api/") or response.status >= 400:
        response.headers.setdefault("Cache-Control", "no-store")


async def render_pool_ctx(app: web.Application) -> AsyncIterator[None]:
    """The threads templates are rendered in, so no template can stall the event loop; and the
    one-at-a-time slot of the quick-reply import."""
    pool = RenderPool(app[keys.SETTINGS].render_threads)
    app[keys.IMPORTS] = asyncio.Semaphore(1)
    # A render thread hands the interpreter lock back every millisecond (default 5 ms), so the
    # event loop waits at most that long for it however busy the renders are.
    sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
    app[keys.TEMPLATES] = pool
    try:
        yield
    finally:
        pool.close()


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the store, apply migrations, load shops and agents; close it all on shutdown."""
    settings = app[keys.SETTINGS]
    db = AsyncDatabase(settings.db_path, readers=settings.readers)
    applied = db.open(MIGRATION_SETS)
    if applied:
        log.info("applied migrations: %s", ", ".join(applied))
    app[keys.DB] = db
    directory = Directory(secret=load_secret(settings.data_dir))
    agents, shops = await db.read(lambda conn: (kb_store.list_agents(conn), kb_store.list_shops(conn)))
    directory.replace(agents, shops)
    app[keys.DIRECTORY] = directory
    try:
        async with UsageRecorder(db).running() as usage:
            app[keys.USAGE] = usage
            yield
    finally:
        db.close()


def create_app(settings: Settings) -> web.Application:
    """Build the service: state, start-up/shutdown, middlewares and every route."""
    middlewares = [error_middleware, host_middleware, auth_middleware, path_middleware]
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[*middlewares, hub_guard] if settings.database_url else middlewares,
    )
    app.on_response_prepare.append(security_headers)
    app[keys.SETTINGS] = settings
    app[keys.MANIFEST] = load_manifest()
    app[keys.ENDPOINTS] = setup_routes(app, ENDPOINTS)
    app[keys.KPI_HISTORY] = TtlCache(600)
    setup_static(app)
    app.cleanup_ctx.append(render_pool_ctx)
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(qc_ctx)
    app.cleanup_ctx.append(hub_ctx)  # the quick-reply store: SQLite, or the team hub's PostgreSQL
    app.cleanup_ctx.append(grants.grants_ctx)  # the granted roles (order, refund review) over the directory
    app.cleanup_ctx.append(training.training_ctx)  # trainees without a pass
    app.cleanup_ctx.append(event_stream.events_ctx)
    # The one hook that is not a generator: SSE streams must end *before* aiohttp waits for running
    # handlers, and cleanup contexts only unwind after that wait (aiohttp has no shutdown context).
    app.on_shutdown.append(event_stream.close_streams)
    app.cleanup_ctx.append(commerce_ctx)
    app.cleanup_ctx.append(quick_replies.quick_replies_ctx)
    app.cleanup_ctx.append(matcher_ctx)
    app.cleanup_ctx.append(hub_feed_ctx)  # once the indexes are built: the change feed keeps them current
    app.cleanup_ctx.append(semantic_ctx)
    app.cleanup_ctx.append(import_jobs_ctx)
    app.cleanup_ctx.append(watch.watch_ctx)
    app.cleanup_ctx.append(schedule_ctx)  # last: jobs start once every store is open, stop first
    return app

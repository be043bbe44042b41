"""The application factory: ``create_app(settings) -> web.Application``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web
from sqlite_utils import Migrations

from assistant import keys
from assistant.api import events, quick_replies
from assistant.api.commerce import commerce_ctx
from assistant.api.knowledge import matcher_ctx
from assistant.api.shop_import import import_jobs_ctx
from assistant.directory import Directory
from assistant.errors import Handler, error_middleware
from assistant.manifest import load_manifest
from assistant.migrations import migrations as assistant_migrations
from assistant.routes import ENDPOINTS, setup_routes
from assistant.security import auth_middleware, host_middleware, load_secret
from assistant.settings import Settings
from assistant.usage import UsageRecorder
from assistant.web.pages import setup_static
from knowledge import store as kb_store
from knowledge.database import Database
from knowledge.migrations import migrations as knowledge_migrations
from quick_replies.migrations import migrations as quick_reply_migrations

log = logging.getLogger("kefu")

# Bottom layer first: later sets reference tables of earlier ones.
MIGRATION_SETS: tuple[Migrations, ...] = (knowledge_migrations, quick_reply_migrations, assistant_migrations)


@web.middleware
async def headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """Open the store, apply migrations, load shops and agents; close it all on shutdown."""
    settings = app[keys.SETTINGS]
    db = Database(settings.db_path, readers=settings.readers)
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
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[error_middleware, headers_middleware, host_middleware, auth_middleware],
    )
    app[keys.SETTINGS] = settings
    app[keys.MANIFEST] = load_manifest()
    app[keys.ENDPOINTS] = setup_routes(app, ENDPOINTS)
    setup_static(app)
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(events.events_ctx)
    app.on_shutdown.append(events.close_streams)  # SSE streams end before handlers are awaited
    app.cleanup_ctx.append(commerce_ctx)
    app.cleanup_ctx.append(quick_replies.quick_replies_ctx)
    app.cleanup_ctx.append(matcher_ctx)
    app.cleanup_ctx.append(import_jobs_ctx)
    return app

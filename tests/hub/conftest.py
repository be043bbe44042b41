"""A real PostgreSQL for the hub's tests: one server per session (see pg_server.py), a fresh database
per test. Without the binaries the tests skip, unless KEFU_REQUIRE_POSTGRES=1 (scripts/test, CI)."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from assistant.hub import schema
from tests.hub.pg_server import PgServer, available

_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    missing = available()
    if missing:
        if os.environ.get("KEFU_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"KEFU_REQUIRE_POSTGRES=1 but no PostgreSQL can be started: {missing}")
        pytest.skip(missing)
    server = PgServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A new, empty database on the session's server."""
    return pg_server.create_database(f"kefu_test_{next(_names)}")


@pytest.fixture
async def pool(pg_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on that database with the hub's schema applied."""
    pool = await asyncpg.create_pool(pg_url, min_size=1, max_size=10)
    async with pool.acquire() as conn:
        await schema.migrate(conn)
    try:
        yield pool
    finally:
        await pool.close()

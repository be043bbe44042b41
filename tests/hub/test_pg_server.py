"""The test server itself: it runs, answers on TCP, and each test gets its own empty database."""

from __future__ import annotations

import subprocess

import pytest

from tests.hub.pg_server import BIN, PgServer

pytestmark = pytest.mark.postgres


def test_server_answers_and_databases_are_separate(pg_server: PgServer, pg_url: str) -> None:
    other = pg_server.create_database("kefu_test_other")
    assert pg_url != other
    out = subprocess.run(
        [str(BIN / "psql"), pg_url, "-Atc", "SELECT current_database(), version()"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert out.startswith(pg_url.rsplit("/", 1)[1] + "|PostgreSQL 15")


@pytest.mark.slow
def test_required_postgres_fails_instead_of_skipping(tmp_path: object) -> None:
    """CI sets KEFU_REQUIRE_POSTGRES=1: a machine without the binaries must fail, not skip quietly."""
    import os
    import sys

    env = {**os.environ, "KEFU_PG_BIN": "/nonexistent/bin"}
    command = [sys.executable, "-m", "pytest", "-q", "tests/hub/test_pg_server.py::"
               "test_server_answers_and_databases_are_separate"]  # fmt: skip
    skipped = subprocess.run(
        command, env={**env, "KEFU_REQUIRE_POSTGRES": ""}, capture_output=True, text=True
    )
    assert skipped.returncode == 0 and "1 skipped" in skipped.stdout
    required = subprocess.run(
        command, env={**env, "KEFU_REQUIRE_POSTGRES": "1"}, capture_output=True, text=True
    )
    assert required.returncode != 0 and "KEFU_REQUIRE_POSTGRES=1" in required.stdout

"""Browser tests: Debian's Chromium driven by Playwright's async API, against the real service on a
copy of the demo shop (built once per session, copied per test so every test starts from the same shop)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, async_playwright

from assistant import keys
from assistant.app import MIGRATION_SETS, create_app
from assistant.demo.generator import build_demo
from assistant.directory import Directory
from assistant.settings import Settings
from knowledge.database import AsyncDatabase

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason="Debian's chromium is not installed")
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                item.add_marker(skip)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    db = AsyncDatabase(folder / "kefu.db")
    db.open(MIGRATION_SETS)
    now = datetime.now(timezone(timedelta(hours=8))).replace(second=0, microsecond=0)
    db.write_sync(lambda conn: build_demo(conn, now=now))
    db.close()
    return folder


@pytest.fixture
async def server(demo_template: Path, tmp_path: Path) -> AsyncIterator[TestServer]:
    data = tmp_path / "data"
    shutil.copytree(demo_template, data)
    # the encoder is off, as in the rest of the suite: loading in the background, it would change the
    # confidence of suggestions mid-test depending on how fast the machine is
    settings = Settings(data_dir=data, demo_on_first_run=False, encoder="off")
    test_server = TestServer(create_app(settings), host="127.0.0.1")
    await test_server.start_server()
    yield test_server
    await test_server.close()


def token_of(server: TestServer, login: str) -> str:
    """A demo agent's bearer token (xiaomei: agent, lina: editor, wangjing: supervisor)."""
    directory: Directory = server.app[keys.DIRECTORY]
    agent = directory.by_login(login)
    assert agent is not None, login
    return directory.token_for(agent.id)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        await chromium.close()


@dataclass
class Watched:
    """A page and every console error or uncaught exception it produced."""

    page: Page
    errors: list[str] = field(default_factory=list)


async def open_page(browser: Browser, width: int, height: int) -> Watched:
    page = await browser.new_page(viewport={"width": width, "height": height})
    watched = Watched(page)
    page.on("console", lambda m: watched.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watched.errors.append(str(e)))
    return watched


def screenshot_path(name: str) -> Path | None:
    """Where to write a screenshot for the docs, when KEFU_SCREENSHOTS=1."""
    if os.environ.get("KEFU_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS / name

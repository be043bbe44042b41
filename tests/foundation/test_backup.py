"""`kefu backup` while the service writes, `kefu restore` after its checks, through the CLI's main."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from assistant import service_lock
from assistant.cli import main
from assistant.settings import Settings
from tests.conftest import MiniShop
from tests.quick_replies.test_api import _create, _group

Auth = Callable[[int], dict[str, str]]


def kefu(settings: Settings, *args: str) -> int:
    return main([args[0], "--data-dir", str(settings.data_dir), *args[1:]])


def count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


PHRASES = "SELECT count(*) FROM quick_replies"
CREATED = "SELECT count(*) FROM revisions WHERE entity = 'quick_reply' AND action = 'create'"


async def test_backup_takes_a_consistent_copy_while_the_service_writes(
    client: TestClient,
    mini_shop: MiniShop,
    auth: Auth,
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    group = await _group(client, mini_shop, auth)
    target = tmp_path / "copies" / "kefu-backup.db"
    stop, started = asyncio.Event(), asyncio.Event()

    async def keep_writing() -> int:
        made = 0
        while not stop.is_set() or made < 6:
            await _create(
                client,
                mini_shop.editor_id,
                auth,
                group_id=group,
                code=f"c{made}",
                title=f"短语{made}",
                body="内容",
            )
            made += 1
            if made == 3:
                started.set()
        return made

    writer = asyncio.create_task(keep_writing())
    await started.wait()  # the copy is taken with writes in flight
    code = await asyncio.to_thread(kefu, settings, "backup", str(target))
    stop.set()
    made = await writer
    assert code == 0, capsys.readouterr().err
    assert "完整性检查通过" in capsys.readouterr().out
    # One committed state: every phrase in the copy has its create revision, and nothing half-written.
    copied = count(target, PHRASES)
    assert copied == count(target, CREATED)
    assert 3 <= copied <= made, (copied, made)
    _check_copy(target)
    # An existing file is not overwritten without --force.
    assert kefu(settings, "backup", str(target)) == 1
    assert "--force" in capsys.readouterr().err
    assert kefu(settings, "backup", str(target), "--force") == 0


def _check_copy(target: Path) -> None:
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    conn.close()
    assert not Path(f"{target}-wal").exists()


def _backup(settings: Settings, tmp_path: Path, name: str = "b.db") -> Path:
    target = tmp_path / name
    assert kefu(settings, "backup", str(target)) == 0
    return target


def _add_phrase(settings: Settings, code: str) -> None:
    conn = sqlite3.connect(settings.db_path)
    with conn:
        shop = conn.execute("SELECT id FROM shops ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute(
            "INSERT INTO quick_reply_groups (shop_id, name, position) VALUES (?, ?, 0)", [shop, f"组{code}"]
        )
    conn.close()


def test_restore_puts_the_copy_back_and_keeps_the_old_file_aside(
    settings: Settings, mini_shop: MiniShop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = _backup(settings, tmp_path)
    _add_phrase(settings, "after")
    groups = "SELECT count(*) FROM quick_reply_groups"
    assert count(settings.db_path, groups) == 1
    capsys.readouterr()
    assert kefu(settings, "restore", str(backup)) == 0
    out = capsys.readouterr().out
    assert "已从" in out and "before-restore" in out
    assert count(settings.db_path, groups) == 0
    aside = [
        p
        for p in settings.data_dir.iterdir()
        if ".before-restore-" in p.name and not p.name.endswith(("-wal", "-shm"))
    ]
    assert len(aside) == 1 and count(aside[0], groups) == 1  # nothing of the old data is lost
    # The restored database is the one the service opens, in WAL mode, and the backup is untouched.
    conn = sqlite3.connect(settings.db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert count(backup, groups) == 0


def test_restore_refuses_while_the_service_runs_on_that_data_dir(
    settings: Settings, mini_shop: MiniShop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = _backup(settings, tmp_path)
    before = settings.db_path.read_bytes()
    with service_lock.hold(settings.data_dir):  # what `kefu serve` holds while it runs
        capsys.readouterr()
        assert kefu(settings, "restore", str(backup)) == 1
        err = capsys.readouterr().err
        assert "Ctrl+C" in err and "kefu restore" in err
        assert kefu(settings, "demo", "--force") == 1  # nor is the database deleted under it
        assert "先停止它" in capsys.readouterr().err
    assert settings.db_path.read_bytes() == before
    assert kefu(settings, "restore", str(backup)) == 0  # released: a kill -9 releases it too


def test_restore_refuses_a_damaged_file(
    settings: Settings, mini_shop: MiniShop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = _backup(settings, tmp_path)
    damaged = tmp_path / "damaged.db"
    shutil.copy(backup, damaged)
    data = bytearray(damaged.read_bytes())
    page = 4096
    for offset in range(page * 2, min(len(data), page * 12), page):
        data[offset : offset + 64] = b"\xa5" * 64  # scribble over b-tree page headers
    damaged.write_bytes(bytes(data))
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("这不是数据库" * 200, encoding="utf-8")
    before = settings.db_path.read_bytes()
    for path in (damaged, not_sqlite, tmp_path / "missing.db"):
        capsys.readouterr()
        assert kefu(settings, "restore", str(path)) == 1, path
        assert "没有恢复" in capsys.readouterr().err or not path.exists()
    assert settings.db_path.read_bytes() == before
    assert not list(settings.data_dir.glob("*.restoring*"))


def test_restore_refuses_a_schema_this_code_does_not_know(
    settings: Settings, mini_shop: MiniShop, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = _backup(settings, tmp_path, "newer.db")
    conn = sqlite3.connect(newer)
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('assistant', '9999_future', '2030-01-01')"
        )
    conn.close()
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    with conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    capsys.readouterr()
    assert kefu(settings, "restore", str(newer)) == 1
    assert "9999_future" in capsys.readouterr().err
    assert kefu(settings, "restore", str(foreign)) == 1
    assert "不是客服助手的数据库" in capsys.readouterr().err


def test_backup_without_a_database_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(data_dir=tmp_path / "empty", demo_on_first_run=False)
    assert kefu(settings, "backup", str(tmp_path / "x.db")) == 1
    assert "还没有数据库" in capsys.readouterr().err

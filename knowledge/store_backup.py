"""Copies of the one SQLite file: an online backup while the service writes, and the checks a copy
must pass before it is put back (it is SQLite, its pages are sound, its schema is one we know).

SQLite's online backup API (``sqlite3.Connection.backup``) copies every page in one step under a
read transaction, so the copy is one committed state even while the writer thread keeps writing
(WAL lets it). The copy is written beside the target and renamed into place only when whole.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils
from sqlite_utils import Migrations

MIGRATIONS_TABLE = Migrations.migrations_table


class BackupError(Exception):
    """A copy that cannot be made or used; the message says why in the user's words."""


@dataclass(frozen=True)
class CopyReport:
    """What the checks found in one database file."""

    integrity: list[str]
    migrations: set[tuple[str, str]] = field(default_factory=set)

    @property
    def sound(self) -> bool:
        return self.integrity == ["ok"]


def _open(path: Path, *, timeout: float = 5.0) -> sqlite3.Connection:
    """A connection that reads only (a read-only URI cannot open a WAL file without its -shm)."""
    if not path.is_file():
        raise BackupError(f"找不到文件 {path}")
    try:
        conn = sqlite3.connect(path, timeout=timeout)
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error as exc:
        raise BackupError(f"打不开 {path}：{exc}") from exc
    return conn


def known_migrations(sets: Iterable[Migrations]) -> set[tuple[str, str]]:
    """Every (set, name) migration this code can apply."""
    empty = sqlite_utils.Database(memory=True)
    try:
        return {(s.name, m.name) for s in sets for m in s.pending(empty)}
    finally:
        empty.close()


def inspect(path: Path) -> CopyReport:
    """``PRAGMA integrity_check`` and the applied migrations of the database at ``path``."""
    conn = _open(path)
    try:
        integrity = [str(row[0]) for row in conn.execute("PRAGMA integrity_check(20)")]
        has_table = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]
        ).fetchone()
        applied: set[tuple[str, str]] = set()
        if has_table:
            applied = {
                (str(s), str(n))
                for s, n in conn.execute(f"SELECT migration_set, name FROM [{MIGRATIONS_TABLE}]")
            }
        return CopyReport(integrity=integrity, migrations=applied)
    except sqlite3.DatabaseError as exc:  # "file is not a database", a damaged header
        raise BackupError(f"{path} 不是可用的 SQLite 数据库（{exc}）") from exc
    finally:
        conn.close()


def backup(source: Path, target: Path) -> CopyReport:
    """Copy the live database ``source`` to ``target`` (a new, self-contained file) and check the copy."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = _open(source, timeout=30)
    try:
        dest = sqlite3.connect(partial)
        try:
            src.backup(dest)  # all pages in one step: one committed state
            dest.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
        finally:
            dest.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"备份失败：{exc}") from exc
    finally:
        src.close()
    report = inspect(partial)
    if not report.sound:
        partial.unlink(missing_ok=True)
        raise BackupError("备份副本没有通过完整性检查：" + "；".join(report.integrity))
    os.replace(partial, target)
    return report


def stage(source: Path, staged: Path) -> CopyReport:
    """Copy the backup ``source`` to ``staged`` (in WAL mode, as the service runs it) and check it.

    The user's file is only read; the checks run on the staged copy, which is what gets installed.
    """
    staged.unlink(missing_ok=True)
    src = _open(source)
    try:
        dest = sqlite3.connect(staged)
        try:
            src.backup(dest)
            dest.execute("PRAGMA journal_mode = WAL")
        finally:
            dest.close()
    except sqlite3.DatabaseError as exc:
        discard(staged)
        raise BackupError(f"{source} 不是可用的 SQLite 数据库（{exc}）") from exc
    finally:
        src.close()
    return inspect(staged)


def discard(path: Path) -> None:
    """Remove a database file and its -wal/-shm."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def install(staged: Path, target: Path, aside: Path) -> bool:
    """Move ``target`` (with its -wal, so nothing committed is lost) to ``aside``, then ``staged`` into
    its place. Returns whether there was an old database to keep."""
    kept = target.exists()
    if kept:
        os.replace(target, aside)
        wal = Path(f"{target}-wal")
        if wal.exists():
            os.replace(wal, Path(f"{aside}-wal"))
    Path(f"{target}-shm").unlink(missing_ok=True)  # an index of the old WAL, rebuilt on open
    os.replace(staged, target)
    with contextlib.suppress(FileNotFoundError):
        os.replace(Path(f"{staged}-wal"), Path(f"{target}-wal"))
    Path(f"{staged}-shm").unlink(missing_ok=True)
    return kept

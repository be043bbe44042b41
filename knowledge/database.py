"""The one SQLite file: read connections on a small pool, every write on one writer thread.

SQLite allows one writer at a time. Rather than letting request handlers fight over
the write lock, all writes are queued onto a single thread that owns the only
writable connection (datasette's write-thread idea). Reads run on a pool of
read-only connections, so the event loop never blocks on disk. WAL lets readers
see the last committed state while a write is in progress.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import sqlite_utils
from sqlite_utils import Migrations

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000


def connect(path: Path | str, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open one connection with the pragmas every connection needs.

    Connections run in autocommit mode: the only transactions are the explicit
    ``db.atomic()`` blocks, so nothing is left half-open by accident.
    """
    conn = sqlite3.connect(
        str(path), check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
    )
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    return sqlite_utils.Database(conn, execute_plugins=False)


def migrate(db: sqlite_utils.Database, migration_sets: Iterable[Migrations]) -> list[str]:
    """Apply every pending migration, set by set, and return the names applied."""
    applied: list[str] = []
    for migrations in migration_sets:
        pending = [f"{migrations.name}:{m.name}" for m in migrations.pending(db)]
        migrations.apply(db)
        applied.extend(pending)
    return applied


class AsyncDatabase:
    """Async access to the store: ``await db.read(fn)`` and ``await db.write(fn)`` (named apart from
    ``sqlite_utils.Database``, the one connection ``fn`` is handed).

    ``fn`` is a plain function taking a ``sqlite_utils.Database``. A write runs inside
    one transaction: if ``fn`` raises, nothing it did is kept.
    """

    def __init__(self, path: Path, *, readers: int = 2) -> None:
        self.path = path
        self._local = threading.local()
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="kefu-read")
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="kefu-write")
        self._connections: list[sqlite_utils.Database] = []
        self._lock = threading.Lock()
        self._closed = False

    def open(self, migration_sets: Iterable[Migrations]) -> list[str]:
        """Create the file if needed, switch on WAL and apply pending migrations."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = connect(self.path)
        try:
            if db.journal_mode != "wal":
                db.enable_wal()
            return migrate(db, migration_sets)
        finally:
            db.close()

    def _connection(self, readonly: bool) -> sqlite_utils.Database:
        db: sqlite_utils.Database | None = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.path, readonly=readonly)
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return db

    def _run_read(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        return fn(self._connection(readonly=True))

    def _run_write(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        db = self._connection(readonly=False)
        with db.atomic():
            return fn(db)

    async def read(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Run ``fn`` on a read-only connection off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._readers, self._run_read, fn)

    async def write(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Run ``fn`` in one transaction on the single writer thread."""
        return await asyncio.get_running_loop().run_in_executor(self._writer, self._run_write, fn)

    def write_sync(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Run ``fn`` on the writer thread from synchronous code (CLI, demo, benchmarks)."""
        return self._writer.submit(self._run_write, fn).result()

    def read_sync(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Run ``fn`` on a reader from synchronous code."""
        return self._readers.submit(self._run_read, fn).result()

    def close(self) -> None:
        """Wait for queued work, then close every connection."""
        if self._closed:
            return
        self._closed = True
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        with self._lock:
            for db in self._connections:
                db.close()
            self._connections.clear()

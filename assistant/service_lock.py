"""Which process serves a data directory: ``kefu serve`` holds an exclusive lock on ``kefu.lock``.

The operating system drops the lock when the process ends, however it ends (``kill -9`` included),
so a stale file never blocks anyone. ``kefu restore`` asks for the same lock and refuses while the
service holds it; a second ``kefu serve`` on the same data directory refuses to start.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

LOCK_FILE = "kefu.lock"


class ServiceRunning(Exception):
    """Another process holds the data directory; ``pid`` is the one it wrote (0 when unknown)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        super().__init__(pid)


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _pid_in(path: Path) -> int:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return 0
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else 0


@contextmanager
def hold(data_dir: Path) -> Iterator[None]:
    """Hold the data directory for this process; raises ``ServiceRunning`` when another one does."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_FILE
    handle = open(path, "a+", encoding="ascii")  # noqa: SIM115 - held open for the lock's lifetime
    try:
        if not _try_lock(handle):
            raise ServiceRunning(_pid_in(path))
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()  # closing the file releases the lock


def holder(data_dir: Path) -> int | None:
    """None when no process holds ``data_dir``; else the pid it wrote (0 when unknown)."""
    if not (data_dir / LOCK_FILE).exists():
        return None
    try:
        with hold(data_dir):
            return None
    except ServiceRunning as running:
        return running.pid

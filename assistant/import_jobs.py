"""Shop imports as background jobs: the upload is kept on disk, the dry run and the apply run off the
event loop, and the page polls the job for its progress.

A *dry run* reads the saved files on a read-only connection of its own (the read pool stays free
for the sidebar); an *apply* runs on the single writer, in one transaction. Each shop runs one job
at a time. A finished job is kept for ``KEEP`` so the page can read its report; its files are
removed once applied, or when the job is forgotten.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import sqlite_utils

from assistant.commerce.import_files import ImportOptions
from assistant.commerce.import_report import ImportReport, PlanChanged
from assistant.commerce.item_import import import_items
from assistant.commerce.order_import import import_orders
from knowledge.database import AsyncDatabase, connect
from knowledge.spreadsheet import TableError

log = logging.getLogger("kefu.import")
KEEP = 3600.0  # seconds a finished job (and its upload) is kept
Kind = Literal["orders", "items"]
State = Literal["running", "done", "failed"]


@dataclass
class ImportJob:
    id: str
    kind: Kind
    shop_id: int
    agent_id: int
    folder: Path
    file_name: str
    has_lines: bool
    options: ImportOptions
    dry_run: bool = True
    state: State = "running"
    progress: float = 0.0
    report: ImportReport | None = None
    error: str | None = None
    error_status: int = 400
    error_report: ImportReport | None = None  # the plan as it is now, when the shop changed since the dry run
    applied: bool = False
    finished_at: float | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def file(self) -> Path:
        return self.folder / "file"

    @property
    def lines(self) -> Path | None:
        return self.folder / "lines" if self.has_lines else None


class ImportJobs:
    """The jobs of one service process."""

    def __init__(self, db: AsyncDatabase, data_dir: Path) -> None:
        self.db = db
        self.root = data_dir / "imports"
        self.jobs: dict[str, ImportJob] = {}

    def folder(self) -> tuple[str, Path]:
        """A new job id and the empty folder its upload goes to."""
        self._forget_old()
        job_id = secrets.token_urlsafe(12)
        folder = self.root / job_id
        folder.mkdir(parents=True)
        return job_id, folder

    def busy(self, shop_id: int) -> ImportJob | None:
        return next((j for j in self.jobs.values() if j.shop_id == shop_id and j.state == "running"), None)

    def start(self, job: ImportJob, *, dry_run: bool, plan: str | None = None) -> None:
        job.dry_run, job.state, job.progress = dry_run, "running", 0.0
        job.report, job.error, job.error_report, job.finished_at = None, None, None, None
        self.jobs[job.id] = job
        job.task = asyncio.get_running_loop().create_task(self._run(job, plan))

    async def _run(self, job: ImportJob, plan: str | None) -> None:
        def report(fraction: float) -> None:
            job.progress = max(job.progress, min(fraction, 0.99))

        try:
            if job.dry_run:
                job.report = await asyncio.to_thread(self._dry_run, job, report)
            else:
                job.report = await self.db.write(lambda db: self._work(db, job, report, True, plan))
                job.applied = True
            job.state, job.progress = "done", 1.0
        except TableError as exc:
            job.state, job.error, job.error_status = "failed", str(exc), 400
        except PlanChanged as exc:
            job.state, job.error, job.error_status = (
                "failed",
                "预览之后店铺数据有变化：请看新的预览再导入",
                409,
            )
            job.error_report = exc.report
        except Exception:
            log.exception("import job %s failed", job.id)
            job.state, job.error, job.error_status = (
                "failed",
                "导入时出了意外错误，什么都没有写入：请查看服务日志",
                500,
            )
        finally:
            job.finished_at = time.monotonic()
            if job.applied:
                shutil.rmtree(job.folder, ignore_errors=True)

    def _dry_run(self, job: ImportJob, progress: Callable[[float], None]) -> ImportReport:
        conn = connect(self.db.path, readonly=True)
        try:
            return self._work(conn, job, progress, False, None)
        finally:
            conn.close()

    def _work(
        self, db: sqlite_utils.Database, job: ImportJob, progress: Callable[[float], None], apply: bool,
        plan: str | None,
    ) -> ImportReport:  # fmt: skip
        if job.kind == "orders":
            return import_orders(
                db,
                job.file,
                job.options,
                lines_file=job.lines,
                apply=apply,
                expected_plan=plan,
                progress=progress,
            )
        return import_items(db, job.file, job.options, apply=apply, expected_plan=plan, progress=progress)

    def _forget_old(self) -> None:
        now = time.monotonic()
        for job_id, job in list(self.jobs.items()):
            if job.finished_at is not None and now - job.finished_at > KEEP:
                shutil.rmtree(job.folder, ignore_errors=True)
                del self.jobs[job_id]

    async def close(self) -> None:
        """Wait for running jobs (a write cannot be stopped half-way), then remove every upload."""
        tasks: list[Any] = [j.task for j in self.jobs.values() if j.task is not None and not j.task.done()]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        shutil.rmtree(self.root, ignore_errors=True)

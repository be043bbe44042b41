"""Importing a shop's seller-center exports (orders with their lines, items) from the editor.

- ``POST /api/shop-import/{kind}?shop=&exported_at=&last_modified=&overwrite_conflicts=``, ``kind`` is
  ``orders`` or ``items``: a ``multipart/form-data`` upload (``file``; for orders also ``lines``, the
  order-lines file) of at most ``import_max_bytes``. It is saved and its dry run starts as a job: 202
  with the job.
- ``GET /api/shop-import/jobs/{job_id}``: the job: ``state`` (running/done/failed), ``progress``
  (0..1, for the progress bar), and when done its ``report`` (counts and listed rows).
- ``POST /api/shop-import/jobs/{job_id}/apply?plan=``: write what the dry run showed, in one
  transaction (202 with the job; poll it). A job whose plan would now differ fails with status 409
  and the plan as it is now (``current``).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal, cast

from aiohttp import BodyPartReader, web
from pydantic import Field, StringConstraints

from assistant import keys
from assistant.api.io import ok, query_of
from assistant.api.quick_replies_models import QueryId
from assistant.api.shops import resolve_shop
from assistant.api.uploads import expect_upload
from assistant.commerce.import_files import ImportOptions, export_time_from_name
from assistant.commerce.import_report import ImportReport
from assistant.errors import BadRequest, Conflict, FieldError, NotFound, PayloadTooLarge
from assistant.import_jobs import ImportJob, ImportJobs, Kind
from assistant.security import current_agent
from knowledge.models import Agent, Model

FIELDS: dict[str, tuple[str, ...]] = {"orders": ("file", "lines"), "items": ("file",)}


class UploadQuery(Model):
    shop: QueryId | None = Field(None, description="shop id; defaults to the agent's main shop")
    exported_at: datetime | None = Field(
        None, description="when the export was made; default: the time in its file name, else last_modified"
    )
    last_modified: Annotated[int, Field(ge=0)] | None = Field(
        None, description="the file's modification time in ms since 1970 (the browser's File.lastModified)"
    )
    overwrite_conflicts: bool = Field(
        False, description="fields an agent edited here after the export take the export's value too"
    )


class ApplyQuery(Model):
    plan: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="plan_id of the dry run: the apply fails (409) when the plan would now differ"
    )


class JobOut(Model):
    id: str
    kind: Literal["orders", "items"]
    shop: int
    file_name: str
    dry_run: bool
    state: Literal["running", "done", "failed"]
    progress: float = Field(description="0..1")
    report: ImportReport | None = None
    error: str | None = None
    error_status: int | None = Field(
        None, description="400 unreadable file, 409 shop changed since the dry run"
    )
    current: ImportReport | None = Field(None, description="the plan as it is now, after a 409")


def _out(job: ImportJob) -> JobOut:
    return JobOut(
        id=job.id, kind=job.kind, shop=job.shop_id, file_name=job.file_name, dry_run=job.dry_run, state=job.state,
        progress=round(job.progress, 3), report=job.report, error=job.error,
        error_status=job.error_status if job.state == "failed" else None, current=job.error_report,
    )  # fmt: skip


async def _save_parts(request: web.Request, kind: Kind, folder: Path) -> dict[str, str]:
    """Stream the multipart fields to files in ``folder``; returns field -> the uploaded file's name."""
    limit = request.app[keys.SETTINGS].import_max_bytes
    expect_upload(request, limit)
    names: dict[str, str] = {}
    total = 0
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name not in FIELDS[kind] or part.name in names:
            continue
        with (folder / part.name).open("wb") as out:
            while chunk := await part.read_chunk(256 * 1024):
                total += len(chunk)
                if total > limit:
                    raise PayloadTooLarge(
                        f"文件太大：上限 {limit} 字节，请拆成几个文件", [FieldError(part.name, "文件太大")]
                    )
                out.write(chunk)
        names[part.name] = Path(part.filename or part.name).name
    if "file" not in names:
        raise BadRequest.field("file", "没有收到文件：请把导出的 CSV 或 .xlsx 文件放在 file 字段")
    return names


def _jobs(request: web.Request) -> ImportJobs:
    return request.app[keys.IMPORT_JOBS]


def _job(request: web.Request, agent: Agent) -> ImportJob:
    job = _jobs(request).jobs.get(request.match_info["job_id"])
    if job is None or job.shop_id not in agent.shop_ids:
        raise NotFound(
            "没有这个导入任务（完成一小时后会被清理）：请重新上传文件", [FieldError("job_id", "没有这个任务")]
        )
    return job


def _busy(request: web.Request, shop_id: int) -> None:
    running = _jobs(request).busy(shop_id)
    if running is not None:
        raise Conflict(
            f"这家店铺正在处理另一个导入（{running.file_name}）：请等它完成",
            [FieldError("shop", "导入进行中")],
        )


async def upload(request: web.Request) -> web.Response:
    agent = current_agent(request)
    kind = cast(Kind, request.match_info["kind"])
    if kind not in FIELDS:
        raise NotFound(
            f"不能导入「{kind}」：只能导入 orders（订单）或 items（商品）", [FieldError("kind", "不支持")]
        )
    query = query_of(request, UploadQuery)
    shop_id = resolve_shop(request, agent, query.shop)
    _busy(request, shop_id)
    jobs = _jobs(request)
    job_id, folder = jobs.folder()
    try:
        names = await _save_parts(request, kind, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    zone = request.app[keys.DIRECTORY].zone(shop_id)
    exported = query.exported_at or export_time_from_name(names["file"], zone)
    if exported is None and query.last_modified is not None:
        exported = datetime.fromtimestamp(query.last_modified / 1000, zone)
    if exported is None:
        exported = datetime.now(UTC)
    elif exported.tzinfo is None:
        exported = exported.replace(tzinfo=zone)
    options = ImportOptions(
        shop_id=shop_id, zone=zone, exported_at=exported, agent_id=agent.id, file_name=names["file"],
        overwrite_conflicts=query.overwrite_conflicts,
    )  # fmt: skip
    job = ImportJob(
        id=job_id, kind=kind,
        shop_id=shop_id, agent_id=agent.id, folder=folder, file_name=names["file"], has_lines="lines" in names,
        options=options,
    )  # fmt: skip
    jobs.start(job, dry_run=True)
    return ok(_out(job), status=202)


async def job_status(request: web.Request) -> web.Response:
    return ok(_out(_job(request, current_agent(request))))


async def apply(request: web.Request) -> web.Response:
    agent = current_agent(request)
    job = _job(request, agent)
    query = query_of(request, ApplyQuery)
    if job.applied:
        raise Conflict(f"「{job.file_name}」已经导入过了", [FieldError("job_id", "已导入")])
    if job.state == "running":
        raise Conflict("预览还没有完成：请等进度条走完", [FieldError("job_id", "进行中")])
    _busy(request, job.shop_id)
    if not job.folder.exists():
        raise NotFound("上传的文件已被清理：请重新上传", [FieldError("job_id", "文件已清理")])
    job.options = ImportOptions(**{**job.options.__dict__, "agent_id": agent.id})
    job.agent_id = agent.id
    _jobs(request).start(job, dry_run=False, plan=query.plan)
    return ok(_out(job), status=202)


async def import_jobs_ctx(app: web.Application) -> AsyncIterator[None]:
    """The job registry; on shutdown, running jobs are waited for and uploads removed."""
    jobs = ImportJobs(app[keys.DB], app[keys.SETTINGS].data_dir)
    app[keys.IMPORT_JOBS] = jobs
    yield
    await jobs.close()

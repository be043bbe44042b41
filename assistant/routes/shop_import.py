"""Routes of shop import: the seller center's order / order-line / item exports, as background jobs."""

from __future__ import annotations

from assistant.api import shop_import as shi
from assistant.endpoint import Endpoint
from knowledge.models import Role

ENDPOINTS: list[Endpoint] = [
    # ---- shop import: the seller center's order / order-line / item exports, as background jobs ----
    Endpoint(
        "POST",
        "/api/shop-import/jobs/{job_id}/apply",
        shi.apply,
        "shop_import_apply",
        "Write what the dry run showed, in one transaction (202; poll the job)",
        role=Role.EDITOR,
        query=shi.ApplyQuery,
        response=shi.JobOut,
        tag="shop_import",
    ),
    Endpoint(
        "GET",
        "/api/shop-import/jobs/{job_id}",
        shi.job_status,
        "shop_import_job",
        "An import job: state, progress (0..1) and, when done, its report",
        role=Role.EDITOR,
        response=shi.JobOut,
        tag="shop_import",
    ),
    Endpoint(
        "POST",
        "/api/shop-import/{kind}",
        shi.upload,
        "shop_import_upload",
        "Upload an orders (multipart `file`, optional `lines`) or items export; its dry run starts as a job "
        "(202)",
        role=Role.EDITOR,
        query=shi.UploadQuery,
        response=shi.JobOut,
        tag="shop_import",
    ),
]

"""What an import did or would do: counts, listed rows and the plan fingerprint. Shared by orders and items."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from knowledge.models import Model

Action = Literal["add", "update", "conflict", "leave", "refuse"]
ACTIONS: tuple[Action, ...] = ("add", "update", "conflict", "leave", "refuse")
LIST_CAP = 1000  # rows listed per action; the counts are always complete


class RowOut(Model):
    row: int = Field(description="row number as the spreadsheet shows it (1-based)")
    action: Action
    key: str = Field(description="order number (订单编号) or item id / 商家编码")
    reason: str = Field("", description="why a row is refused or left, or what a conflict kept")
    fields: list[str] = Field(default_factory=list, description="columns an update changes")


class ImportReport(Model):
    kind: Literal["orders", "items"]
    applied: bool = Field(description="false for a dry run")
    format: str
    encoding: str = ""
    header_row: int
    columns: list[str] = Field(description="columns recognised in the header")
    exported_at: datetime | None = Field(
        None, description="when the export was made (conflicts are judged by it)"
    )
    rows_read: int
    added: int
    updated: int
    conflicts: int
    left: int
    refused: int
    buyers_added: int = 0
    lines_read: int = 0
    lines_without_order: int = 0
    plan_id: str = Field(description="fingerprint of the writes; pass it back to apply exactly these")
    rows: list[RowOut] = Field(description=f"listed rows, at most {LIST_CAP} of each action, by row number")
    rows_cut: bool = Field(description="true when some rows were not listed (see the counts)")


class PlanChanged(Exception):
    """The shop changed since the dry run: the plan that would run now is not the one shown."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        super().__init__("the import plan changed since the dry run")


@dataclass
class Tally:
    """Counts, the first rows of each action and a running fingerprint."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    listed: list[RowOut] = field(default_factory=list)
    cut: bool = False
    digest: Any = field(default_factory=hashlib.sha256)

    def note(self, row: int, action: Action, key: str, reason: str = "", fields: list[str] | None = None,
             payload: object = None) -> None:  # fmt: skip
        self.counts[action] += 1
        if self.counts[action] <= LIST_CAP:
            self.listed.append(RowOut(row=row, action=action, key=key, reason=reason, fields=fields or []))
        else:
            self.cut = True
        if action != "refuse" and action != "leave":
            self.digest.update(repr((row, action, key, payload)).encode())

    @property
    def plan_id(self) -> str:
        return str(self.digest.hexdigest())[:16]

    def rows(self) -> list[RowOut]:
        return sorted(self.listed, key=lambda r: r.row)

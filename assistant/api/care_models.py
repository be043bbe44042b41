"""Request and response models of the after-sales care API (``assistant.api.care``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from assistant.api.io import QueryId
from knowledge.models import Model
from knowledge.templates import Finding

Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class TemplateOut(Model):
    purpose: str
    body: str
    default_body: str
    own: bool = Field(description="the shop's own wording (else the built-in one)")
    updated_by: str | None
    updated_at: datetime | None
    chars: int | None = Field(description="characters with every variable at its typical length")
    segments: int | None = Field(description="SMS segments (70 characters each)")


class TemplatesOut(Model):
    templates: list[TemplateOut]
    typical_lengths: dict[str, dict[str, int]]
    segment: int


class TemplateIn(Model):
    shop: QueryId | None = None
    body: Body


class MeasureIn(Model):
    body: Annotated[str, StringConstraints(max_length=1000)]


class MeasureOut(Model):
    text: str = Field(description="the text with every variable at its typical length (某某某…)")
    chars: int
    segments: int
    findings: list[Finding]


CareState = Literal["pending", "sent", "exported", "skipped"]


class CareQuery(Model):
    shop: QueryId | None = None
    state: CareState = "pending"


class CareOut(Model):
    id: int
    buyer: str
    order_id: str | None
    stage: str
    text: str
    channel: Literal["host", "sms"]
    state: CareState
    reason: str
    due_at: datetime
    sent_at: datetime | None


class CareListOut(Model):
    messages: list[CareOut]
    channel: Literal["host", "sms"] = Field(description="where new care messages go (setting care_channel)")


class TakeIn(Model):
    shop: QueryId | None = None
    limit: Annotated[int, Field(ge=1, le=50)] = 20


class TakenOut(Model):
    messages: list[CareOut] = Field(description="post each to the chat client as kefu.send_message")


class ExportIn(Model):
    shop: QueryId | None = None


Names = Annotated[
    list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]],
    Field(max_length=50),
]


JamStatus = Literal["shipped", "delivered", "completed"]


class JamSelection(Model):
    shop: QueryId | None = None
    courier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
    provinces: Names = Field(default_factory=list, description="none: every province")
    cities: Names = Field(default_factory=list, description="none: every city")
    statuses: list[JamStatus] = Field(
        default_factory=lambda: list[JamStatus](["shipped"]),
        max_length=3,
        description="order statuses; default shipped",
    )
    shipped_from: date
    shipped_to: date = Field(description="inclusive")
    template: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = Field(
        "", description="the apology; empty: the shop's jam template"
    )

    @model_validator(mode="after")
    def _dates(self) -> JamSelection:
        if self.shipped_to < self.shipped_from:
            raise ValueError("shipped_to 不能早于 shipped_from")
        if (self.shipped_to - self.shipped_from).days > 60:
            raise ValueError("发货日期最多选 60 天")
        return self


class JamMessage(Model):
    buyer: str
    receiver_name: str
    phone: str = Field(description="masked in the preview: 138****1234")
    order_id: str
    province: str
    city: str
    text: str


class JamPreviewOut(Model):
    buyers: int = Field(description="buyers who will get the notice (each once)")
    already_notified: int = Field(
        description="matching buyers left out: they had a notice about this courier"
    )
    needs_approval: bool
    threshold: int
    messages: list[JamMessage] = Field(description="the first 50, with the receiver's real name")


class JamNoticeOut(Model):
    id: int
    selection: dict[str, object]
    template: str
    buyers: int
    sent: int
    state: Literal["awaiting_approval", "approved", "sent"]
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    sample: list[JamMessage]


class JamListOut(Model):
    notices: list[JamNoticeOut]


class JamOptionsOut(Model):
    couriers: list[str]
    threshold: int


class SendOut(Model):
    messages: list[JamMessage] = Field(description="post each to the chat client as kefu.send_message")

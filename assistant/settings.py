"""Settings: frozen, validated, every field described. Flags beat environment beat defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

ENV_PREFIX = "KEFU_"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("kefu-assistant", appauthor=False))


class Settings(BaseModel):
    """Everything the service can be told. Environment: ``KEFU_<FIELD NAME IN CAPITALS>``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder holding the SQLite database and the token secret.",
    )
    host: str = Field("127.0.0.1", description="Address to listen on. Keep it on loopback.")
    port: Annotated[int, Field(ge=0, le=65535)] = Field(8765, description="TCP port to listen on.")
    allowed_hosts: tuple[str, ...] = Field(
        ("127.0.0.1", "localhost", "::1"),
        description="Host header names accepted (DNS-rebinding defence); any port is allowed.",
    )
    allowed_origins: tuple[str, ...] = Field(
        (), description="Origins (scheme://host:port) of chat clients allowed to make cross-origin writes."
    )
    max_body_bytes: Annotated[int, Field(ge=1024)] = Field(
        1024 * 1024, description="Largest request body accepted; larger ones get 413."
    )
    readers: Annotated[int, Field(ge=1, le=16)] = Field(2, description="Threads serving database reads.")
    render_threads: Annotated[int, Field(ge=1, le=8)] = Field(
        2,
        description="Threads rendering answer templates off the event loop (each render has its own budget).",
    )
    timezone: str = Field(
        "Asia/Shanghai",
        description="Time zone of the team-wide figures (reminders, response watch, reports, the conversation "
        "log's days); a shop's own dates (orders, imports, exports, campaign windows) follow the shop's time zone.",
    )
    demo_on_first_run: bool = Field(
        True, description="Create the demo shop when `kefu serve` finds an empty database."
    )
    agent_discount_cap_percent: Annotated[int, Field(ge=0, le=100)] = Field(
        10, description="Largest price cut an agent may give without a supervisor's approval."
    )
    editor_discount_cap_percent: Annotated[int, Field(ge=0, le=100)] = Field(
        10, description="Largest price cut an editor may give without a supervisor's approval."
    )
    supervisor_discount_cap_percent: Annotated[int, Field(ge=0, le=100)] = Field(
        50, description="Largest price cut a supervisor may give."
    )
    suggest_confidence: Annotated[float, Field(ge=0, le=1)] = Field(
        0.65, description="Score under which a suggestion is marked `confident: false`."
    )
    encoder: Literal["on", "off"] = Field(
        "on",
        description="The local sentence encoder beside the lexical matcher (`off`: lexical matching only,"
        " as before; it is also off when the package fails to load).",
    )
    logistics_stale_hours: Annotated[int, Field(ge=1)] = Field(
        48, description="Hours without a tracking update before a parcel counts as stuck."
    )
    watch_nudge_seconds: Annotated[int, Field(ge=1)] = Field(
        100, description="Seconds a buyer waits before the agent is nudged (the chat console's own alert)."
    )
    watch_escalate_seconds: Annotated[int, Field(ge=1)] = Field(
        150, description="Seconds a buyer waits before the supervisor's wall highlights the conversation."
    )
    watch_missed_seconds: Annotated[int, Field(ge=1)] = Field(
        180, description="A turn answered later than this counts against the 3-minute response rate."
    )
    watch_limit_seconds: Annotated[int, Field(ge=1)] = Field(
        300, description="Nobody waits longer than this (the seeds' five minutes): the last mark."
    )
    watch_assist_bot_counts: bool = Field(
        False, description="Assist-bot replies stop the response clock (the platform counts some bots)."
    )
    kpi_attribution_days: Annotated[int, Field(ge=1, le=90)] = Field(
        30,
        description="An order belongs to the last agent who chatted with the buyer within this many days before it.",
    )
    payment_reminder_minutes: Annotated[int, Field(ge=1)] = Field(
        10, description="Minutes after an order is placed unpaid before it needs a reminder."
    )
    reminder_lease_minutes: Annotated[int, Field(ge=1)] = Field(
        30, description="A claimed reminder task left untouched this long goes back to the pool."
    )
    reminder_phone_from_yuan: Annotated[int, Field(ge=1)] = Field(
        1000, description="Unpaid orders of at least this many yuan are reminded by phone, in calling hours."
    )
    reminder_per_day: Annotated[int, Field(ge=1, le=10)] = Field(
        3, description="Messages a buyer gets a day at most: reminder touches and care messages together."
    )
    reminder_quiet_hours: Annotated[
        str, Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)?$")
    ] = Field(
        "22:00-08:00",
        description="No reminders in these hours (HH:MM-HH:MM; empty: none); a touch due then waits.",
    )
    reminder_holdout_percent: Annotated[float, Field(ge=0, le=50)] = Field(
        5.0, description="Share of reminder tasks never reminded, to measure the real lift."
    )
    qc_dispute_days: Annotated[int, Field(ge=1, le=90)] = Field(
        7, description="Days after a QC review during which the reviewed agent may dispute it."
    )
    reminder_specialists: str = Field(
        "",
        description="Logins (comma-separated) of the reminder specialists: a task nobody chatted about goes to the one on shift with the fewest open tasks; empty: it waits in the pool.",
    )
    reminder_phone_specialists: str = Field(
        "",
        description="Logins (comma-separated) of the phone specialists: a phone task goes to the one on shift with the fewest open tasks; empty: the usual owner.",
    )
    reminder_flash_close_minutes: Annotated[int, Field(ge=5, le=24 * 60)] = Field(
        30,
        description="A flash-sale order closes unpaid this many minutes after it is placed (the last touch comes before).",
    )
    reminder_flash_sale_words: str = Field(
        "秒杀,闪购,限时抢",
        description="Orders placed during a campaign whose name holds one of these words (comma-separated) are flash-sale orders.",
    )
    care_channel: Literal["host", "sms"] = Field(
        "host",
        description="Where care messages go: the chat client sends them (kefu.send_message) or an SMS export (CSV).",
    )
    care_review_after_days: Annotated[int, Field(ge=1, le=30)] = Field(
        3, description="Days after delivery before a completed order gets the please-review message."
    )
    care_event_days_before: Annotated[int, Field(ge=0, le=14)] = Field(
        2,
        description="Returning buyers get the big-event message this many days before a campaign starts (0: never).",
    )
    jam_approval_from_buyers: Annotated[int, Field(ge=1)] = Field(
        200, description="A courier-jam notice to more buyers than this needs a second supervisor's approval."
    )
    conversation_retention_days: Annotated[int, Field(ge=1)] = Field(
        90, description="Days the conversation log keeps a message before the cleanup job removes it."
    )
    database_url: Annotated[str, Field(pattern=r"^((postgres|postgresql)://.+)?$")] = Field(
        "",
        description="Team hub: a PostgreSQL 15+ URL (postgresql://user:password@host:5432/kefu) several service"
        " processes share; empty keeps everything in the embedded SQLite file (the default). So far the hub"
        " holds quick replies, claims and the conversation log; the rest stays in each process's SQLite file"
        " (docs/architecture.md).",
    )
    hub_pool_size: Annotated[int, Field(ge=1, le=100)] = Field(
        10, description="Team hub: most PostgreSQL connections one process opens."
    )
    hub_poll_seconds: Annotated[float, Field(gt=0, le=60)] = Field(
        0.5,
        description="Team hub: how often a process reads the change feed without a notification"
        " (notifications normally bring a change in milliseconds; this bounds a missed one).",
    )
    import_max_bytes: Annotated[int, Field(ge=1024)] = Field(
        512 * 1024 * 1024,
        description="Largest seller-center export (orders, order lines or items file) the editor may upload.",
    )

    # ---- order review before shipping (订单审核) ----
    review_ship_hours: Annotated[int, Field(ge=1, le=24 * 30)] = Field(
        48, description="Hours after payment by which an order must ship; the review queue is ordered by it."
    )
    review_min_detail_chars: Annotated[int, Field(ge=1, le=50)] = Field(
        6, description="A street address (detail) shorter than this is flagged as incomplete."
    )
    review_cities_without_districts: tuple[str, ...] = Field(
        ("东莞市", "中山市", "儋州市", "嘉峪关市"),
        description="Cities that have no districts: an empty district is fine there.",
    )
    review_remote_provinces: tuple[str, ...] = Field(
        ("新疆维吾尔自治区", "西藏自治区", "青海省", "内蒙古自治区", "甘肃省", "宁夏回族自治区"),
        description="Provinces the shop's couriers do not reach or charge extra for (review reason 'remote').",
    )
    review_remote_places: tuple[str, ...] = Field(
        ("三沙市", "嵊泗县", "岱山县", "长海县", "南澳县", "洞头区", "海岛"),
        description="Cities, districts or words of the street address (islands) the couriers do not reach "
        "or charge extra for.",
    )
    review_invoice_words: tuple[str, ...] = Field(
        ("发票", "开票", "税号", "抬头"),
        description="Words of the buyer's message or the chat that mean an invoice is wanted.",
    )
    review_gift_words: tuple[str, ...] = Field(
        ("赠品", "礼品", "送的", "赠送", "小样", "礼盒"),
        description="Words of the buyer's message or the chat that mean a gift was asked for or promised.",
    )
    review_promise_words: tuple[str, ...] = Field(
        ("答应", "承诺", "保证", "说好", "加急", "优先发", "备注一下"),
        description="Words of the buyer's message or the chat that mean a promise was made.",
    )
    review_chat_days: Annotated[int, Field(ge=0, le=60)] = Field(
        7,
        description="Days of chat before an order was placed that the review reads for invoices, gifts and promises.",
    )
    # ---- refund review (退款审核) ----
    refund_review_minutes: Annotated[int, Field(ge=1, le=60 * 24 * 7)] = Field(
        120,
        description="Minutes from a buyer's refund request within which a reviewer's decision counts as on "
        "time (the refund reviewer's efficiency).",
    )
    # ---- the trainee quiz (培训) ----
    training_seconds_per_question: Annotated[int, Field(ge=10, le=3600)] = Field(
        180, description="The timed round's clock per question (the platform's 3-minute response rule)."
    )
    training_round_size: Annotated[int, Field(ge=1, le=100)] = Field(
        10, description="Questions in a round when the trainee does not say."
    )
    training_answer_similarity: Annotated[float, Field(ge=0, le=100)] = Field(
        50.0,
        description="A typed answer this similar (0-100, the matcher's text similarity) to a reference "
        "answer is marked right.",
    )
    training_pick_similarity: Annotated[float, Field(ge=0, le=100)] = Field(
        90.0, description="A quick reply this similar to an intent's answer counts as the right pick for it."
    )
    training_pass_accuracy: Annotated[float, Field(ge=0, le=1)] = Field(
        0.8, description="Pass mark when the trainer set none: share of answers marked right."
    )
    training_pass_coverage: Annotated[float, Field(ge=0, le=1)] = Field(
        0.9,
        description="Pass mark when the trainer set none: share of the shop's intents answered right once.",
    )
    training_pass_required: bool = Field(
        False, description="A trainee's token works only for the training pages until they have passed."
    )

    @property
    def db_path(self) -> Path:
        return self.data_dir / "kefu.db"

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Defaults, then ``KEFU_*`` environment variables, then explicit overrides (flags)."""
        values: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            raw = os.environ.get(ENV_PREFIX + name.upper())
            if raw is None:
                continue
            annotation = str(field.annotation)
            values[name] = [v.strip() for v in raw.split(",") if v.strip()] if "tuple" in annotation else raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)


def describe_error(error: ValidationError) -> str:
    """One line per bad setting, naming it and the environment variable behind it."""
    lines = []
    for item in error.errors(include_url=False):
        name = ".".join(str(p) for p in item["loc"])
        lines.append(f"setting {name} ({ENV_PREFIX}{name.upper()}): {item['msg']}")
    return "\n".join(lines)

"""Settings: frozen, validated, every field described. Flags beat environment beat defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

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
    readers: Annotated[int, Field(ge=1, le=16)] = Field(
        2, description="Threads serving database reads."
    )
    timezone: str = Field("Asia/Shanghai", description="Time zone deciding 'today' and campaign windows.")
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
    logistics_stale_hours: Annotated[int, Field(ge=1)] = Field(
        48, description="Hours without a tracking update before a parcel counts as stuck."
    )
    reply_target_minutes: Annotated[int, Field(ge=1)] = Field(
        5, description="A buyer should get an answer within this many minutes."
    )
    payment_reminder_minutes: Annotated[int, Field(ge=1)] = Field(
        10, description="Minutes after an order is placed unpaid before it needs a reminder."
    )
    import_max_bytes: Annotated[int, Field(ge=1024)] = Field(
        512 * 1024 * 1024,
        description="Largest seller-center export (orders, order lines or items file) the editor may upload.",
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

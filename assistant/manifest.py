"""The plugin manifest: what the chat client mounts, validated at start-up and in tests."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from knowledge.models import Role

MANIFEST_PATH = Path(__file__).resolve().parent.parent / "plugin_manifest.json"

RelativeUrl = Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9_./-]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EntryKind(StrEnum):
    SIDEBAR = "sidebar"
    POPUP = "popup"
    PAGE = "page"


class ManifestEntry(Strict):
    """A page the client can open: the sidebar panel, the lookup popup or the editor."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    kind: EntryKind
    url: RelativeUrl
    title: dict[str, Annotated[str, StringConstraints(min_length=1, max_length=40)]]
    width: Annotated[int, Field(ge=200, le=2000)] | None = None
    height: Annotated[int, Field(ge=200, le=2000)] | None = None
    roles: list[Role] = Field(min_length=1)


class Hotkey(Strict):
    entry: str
    keys: Annotated[str, StringConstraints(pattern=r"^((Ctrl|Alt|Shift|Meta)\+)+[A-Za-z0-9/;.,]$")]
    action: Annotated[str, StringConstraints(min_length=1, max_length=40)]


class Message(Strict):
    """An event the client sends us, or a message we post to the client."""

    type: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_.]*$")]
    description: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    fields: dict[str, Annotated[str, StringConstraints(min_length=1, max_length=200)]]
    answers: list[str] | None = Field(
        None, min_length=1, description="for a posted message: the events the client answers it with"
    )


class Permission(StrEnum):
    READ_CONVERSATION = "conversation.read"
    INSERT_TEXT = "composer.insert"
    READ_ORDERS = "orders.read"
    EDIT_ORDERS = "orders.edit"
    CLIPBOARD_WRITE = "clipboard.write"


class PluginManifest(Strict):
    manifest_version: Annotated[int, Field(ge=1, le=1)]
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(\.[a-z0-9-]+)+$")]
    name: dict[str, Annotated[str, StringConstraints(min_length=1, max_length=40)]]
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    description: dict[str, Annotated[str, StringConstraints(min_length=1, max_length=300)]]
    api_base: RelativeUrl
    openapi: RelativeUrl
    auth: Annotated[str, StringConstraints(pattern=r"^bearer$")]
    entries: list[ManifestEntry] = Field(min_length=1)
    hotkeys: list[Hotkey]
    consumes: list[Message] = Field(min_length=1, description="events the chat client sends the plugin")
    posts: list[Message] = Field(min_length=1, description="messages the plugin posts to the client")
    permissions: list[Permission] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> PluginManifest:
        ids = [e.id for e in self.entries]
        if len(set(ids)) != len(ids):
            raise ValueError("entry ids must be unique")
        for hotkey in self.hotkeys:
            if hotkey.entry not in ids:
                raise ValueError(f"hotkey {hotkey.keys} points at unknown entry {hotkey.entry!r}")
        for names in (self.name, self.description, *(e.title for e in self.entries)):
            if "zh-CN" not in names:
                raise ValueError("every name, description and title needs a zh-CN text")
        if len({h.keys for h in self.hotkeys}) != len(self.hotkeys):
            raise ValueError("two hotkeys use the same keys")
        consumed = {m.type for m in self.consumes}
        if len(consumed) != len(self.consumes):
            raise ValueError("an event type is listed twice in consumes")
        for message in self.consumes:
            if message.answers:
                raise ValueError(f"{message.type}: only a posted message is answered")
        for message in self.posts:
            unknown = [a for a in message.answers or [] if a not in consumed]
            if unknown:
                raise ValueError(f"{message.type} is answered by {unknown}, which consumes does not list")
        return self


def load_manifest(path: Path = MANIFEST_PATH) -> PluginManifest:
    """Read and validate the manifest; a broken manifest stops the service at start-up."""
    return PluginManifest.model_validate(json.loads(path.read_text(encoding="utf-8")))

"""What the service knows of the matcher's semantic stage (``assistant.api.semantic``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from knowledge.encoder import EncoderStatus


@dataclass
class SemanticState:
    status: EncoderStatus
    #: Examples still waiting for an embedding (the backfill's work left).
    pending: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)

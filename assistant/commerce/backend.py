"""The commerce backend protocol: where buyers and orders come from and where edits go.

The SQLite backend (``SqliteBackend``) is the default; a real shop platform can be plugged in by
implementing this protocol. ``tests/commerce/contract.py`` is the suite any backend must pass.

Errors are the domain's (``knowledge.errors``, no HTTP): ``NotFound`` for an unknown buyer, order,
item or approval (or one in a shop the caller may not see), ``Invalid`` for a refused value,
``StaleVersion`` for a stale version, ``Conflict`` for a status that forbids the edit or a reused
idempotency key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from assistant.commerce.edits import Change
from assistant.commerce.models import OrderStatus, RiskFlag
from assistant.commerce.views import (
    ApprovalOut,
    BuyerCard,
    EditOutcome,
    NoteOut,
    OrderDetail,
    OrderSummary,
    RelatedOut,
)
from knowledge.models import Agent, Model


class Undo(Model):
    kind: Literal["undo"] = "undo"


@dataclass(frozen=True)
class EditRequest:
    """One edit (or undo) as an agent sent it."""

    order_id: str
    agent: Agent
    version: int
    change: Change | Undo
    reason: str
    idempotency_key: str
    request_hash: str


@dataclass(frozen=True)
class EditResult:
    status: int  # 200 applied, 202 waiting for a supervisor's approval
    outcome: EditOutcome


@dataclass(frozen=True)
class OrderPage:
    orders: list[OrderSummary]
    next_cursor: str | None


@dataclass(frozen=True)
class TemplateFacts:
    """What answer templates see of a conversation's buyer and order (``{{ buyer.tier }}``,
    ``{{ order.status_text }}``); ``None`` for an unknown buyer, or an order unknown in the shop."""

    buyer: dict[str, Any] | None
    order: dict[str, Any] | None


class CommerceBackend(Protocol):
    async def buyer_card(self, shop_id: int, nick: str) -> BuyerCard:
        """The buyer card; ``NotFound`` when the shop has no buyer with this nick."""
        ...

    async def add_note(self, shop_id: int, nick: str, agent: Agent, text: str) -> NoteOut: ...

    async def change_tags(
        self, shop_id: int, nick: str, agent: Agent, version: int, add: list[str], remove: list[str]
    ) -> BuyerCard: ...

    async def set_risk(
        self, shop_id: int, nick: str, agent: Agent, version: int, flag: RiskFlag | None, note: str
    ) -> BuyerCard:
        """Set (``flag``) or clear (``None``) the risk flag; ``note`` is the evidence or the reason."""
        ...

    async def buyer_orders(
        self, shop_id: int, nick: str, statuses: list[OrderStatus] | None, cursor: str | None, limit: int
    ) -> OrderPage: ...

    async def order(self, order_id: str, shop_ids: list[int]) -> OrderDetail: ...

    async def apply_edit(self, request: EditRequest) -> EditResult:
        """Check, apply and audit one edit or undo in one transaction; a retried key returns the first result."""
        ...

    async def undo_refused_edit(self, entry_id: int, agent: Agent) -> EditOutcome:
        """Undo, here only, an edit the platform refused (its outbox entry failed); nothing is sent."""
        ...

    async def approvals(
        self, shop_ids: list[int], requested_by: int | None, status: str | None, limit: int
    ) -> list[ApprovalOut]: ...

    async def decide(
        self, approval_id: int, agent: Agent, grant: bool, note: str
    ) -> tuple[ApprovalOut, EditOutcome | None]:
        """Grant (apply the edit) or refuse a pending approval; ``Conflict`` when the order moved on."""
        ...

    async def related_items(self, shop_id: int, item_id: int, limit: int) -> list[RelatedOut]: ...

    async def template_facts(self, shop_id: int, buyer: str | None, order_id: str | None) -> TemplateFacts:
        """The buyer and order of a conversation as answer templates see them, in one read."""
        ...
